"""viz.backward_steps: the step data against the engine, the page, and the page in a real
browser (headless Chromium over the DevTools protocol on a pipe)."""

from __future__ import annotations

import json
import os
import re
import shutil

import numpy as np
import pytest
from _browser import Browser, find_chromium  # tests/_browser.py

import minigrad as mg
from minigrad import Tensor, viz

pytestmark = pytest.mark.skipif(
    shutil.which("dot") is None, reason="the page's graph is rendered by Graphviz's 'dot'"
)


def named(t: Tensor, name: str) -> Tensor:
    t.name = name
    return t


def book_network(seed: int = 0):
    """The chapter's network on one batch, its loss ½ Σ(P − Y)², with the notes' names."""
    rng = np.random.RandomState(seed)
    t = {
        "X": Tensor(rng.randn(23, 13), name="X"),
        "Y": Tensor(rng.randn(23, 1), name="Y"),
        "W1": Tensor(rng.randn(13, 13), requires_grad=True, name="W1"),
        "B1": Tensor(rng.randn(13), requires_grad=True, name="B1"),
        "W2": Tensor(rng.randn(13, 1), requires_grad=True, name="W2"),
        "B2": Tensor(rng.randn(1), requires_grad=True, name="B2"),
    }
    t["M1"] = named(mg.matmul(t["X"], t["W1"]), "M1")
    t["N1"] = named(mg.add_bias(t["M1"], t["B1"]), "N1")
    t["O1"] = named(mg.sigmoid(t["N1"]), "O1")
    t["M2"] = named(mg.matmul(t["O1"], t["W2"]), "M2")
    t["P"] = named(mg.add_bias(t["M2"], t["B2"]), "P")
    t["L"] = named(0.5 * mg.mse(t["P"], t["Y"], reduction="sum"), "L")
    return t


def _data(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="steps-data">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


# --------------------------------------------------------------------------- the steps


def test_steps_follow_the_engine_and_match_its_gradients():
    t = book_network()
    L = t["L"]
    saved = {k: v._ctx.saved for k, v in t.items() if v._ctx is not None}
    result = viz.backward_steps(L)
    steps = result.steps
    # untouched: no gradient anywhere, the same saved arrays
    assert all(v.__dict__.get("grad") is None for v in t.values())
    assert all(t[k]._ctx.saved is s for k, s in saved.items())

    # step 0 is the seed; then one op node per step, newest first
    assert steps[0]["title"] == "the seed" and steps[0]["incoming"]["values"] == "1"
    titles = [s["title"] for s in steps[1:]]
    assert titles == ["mul", "mse (sum)", "add_bias", "matmul", "sigmoid", "add_bias", "matmul"]
    seqs = [int(re.search(r"seq = (\d+)", s["text"]).group(1)) for s in steps[1:]]
    assert steps[2]["text"].startswith("Node 2 of 7 in the engine's order")
    assert seqs == sorted(seqs, reverse=True)

    # the gradients shown are the engine's
    for name in ("M1", "N1", "O1", "M2", "P"):
        t[name].retain_grad()
    L.backward()
    by_output = {s["incoming"]["name"]: s["incoming"]["values"] for s in steps[1:]}
    for name in ("N1", "P"):
        g = t[name].grad.data
        assert by_output[f"dL/d{name}"].startswith(f"min {g.min():.4g}, mean {g.mean():.4g}")
    leaves = {leaf["grad_name"]: leaf for leaf in _data(result.html)["leaves"]}
    b2 = leaves["dL/dB2"]
    assert b2["values"] == np.array2string(t["B2"].grad.data, precision=4, separator=", ",
                                           floatmode="maxprec")
    assert b2["complete_at"] == 3  # the output layer's add_bias, the third node visited
    assert leaves["dL/dW1"]["complete_at"] == 7 and set(leaves) == {
        "dL/dW1", "dL/dB1", "dL/dW2", "dL/dB2"
    }

    # the notes' formulas, in the graph's names, and what each input receives
    matmul2 = steps[4]
    assert matmul2["formulas"] == ["dL/dO1 = dL/dM2·W2ᵀ", "dL/dW2 = O1ᵀ·dL/dM2"]
    assert matmul2["expr"] == "M2 = O1·W2"
    sends = {s["name"]: s for s in matmul2["sends"]}
    assert sends["W2"]["shape"] == "(13, 1)" and "complete" in sends["W2"]["note"]
    assert sends["O1"]["shape"] == "(23, 13)" and "waits" in sends["O1"]["note"]
    first = steps[-1]
    assert first["formulas"][1] == "dL/dW1 = Xᵀ·dL/dM1"
    assert {s["name"]: s.get("note") for s in first["sends"]}["X"].startswith("needs no")


def test_a_tensor_used_twice_collects_both_gradients():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True, name="x")
    y = named(x * x, "y")
    z = named(mg.sum(y * 3.0 + y), "z")
    steps = viz.backward_steps(z).steps
    notes = [s.get("note", "") for step in steps for s in step["sends"]]
    assert "added to the gradient already waiting there" in notes
    mul = steps[-1]
    assert mul["incoming"]["values"] == "[4., 4.]"  # 3 + 1 from the two uses of y
    assert [s["values"] for s in mul["sends"]] == ["[4., 8.]", "[4., 8.]"]
    assert mul["done"] == [mul["sends"][0]["node"]]  # x is complete after its last use
    assert [s["note"] for s in mul["sends"]] == [
        "a leaf: added to its gradient, more to come", "complete: a leaf, so this is its .grad"
    ]


def test_refusals_name_the_function_and_what_to_do():
    t = book_network()
    t["L"].backward()
    with pytest.raises(RuntimeError, match=r"backward_steps: the arrays saved by .* were "
                                           r"freed .*retain_graph=True"):
        viz.backward_steps(t["L"])
    t = book_network()
    t["L"].backward(retain_graph=True)
    assert len(viz.backward_steps(t["L"]).steps) == 8  # retained: still possible
    with pytest.raises(ValueError, match=r"backward_steps: the output has shape \(23, 1\)"):
        viz.backward_steps(t["P"])
    with pytest.raises(ValueError, match="no recorded graph"):
        viz.backward_steps(t["X"])
    with pytest.raises(TypeError, match="backward_steps: expected a minigrad Tensor"):
        viz.backward_steps(np.ones(3))
    steps = viz.backward_steps(t["P"], grad=np.ones((23, 1))).steps
    assert steps[0]["text"].startswith("Backward starts at P with the given gradient.")


def test_the_page_is_self_contained(tmp_path):
    t = book_network()
    t["W1"].name = "W1</script><b>"  # must not end the data's script element early
    result = viz.backward_steps(t["L"], tmp_path / "steps.html")
    page = (tmp_path / "steps.html").read_text(encoding="utf-8")
    assert result.path == tmp_path / "steps.html" and page == result.html
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page
    # nothing is fetched: no external scripts, styles, images or links
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
    assert page.count("</script>") == 3  # the error hook, the data, the code
    assert _data(page)["leaves"][0]["name"] == "W1</script><b>"
    # Jupyter: the page in an iframe, escaped into its srcdoc
    frame = result._repr_html_()
    assert frame.startswith("<iframe srcdoc=\"&lt;!DOCTYPE html&gt;")
    assert "<script" not in frame
    assert repr(result).startswith("<BackwardSteps: 7 backward steps, saved to ")


# --------------------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def browser():
    exe = find_chromium()
    if exe is None and os.environ.get("MINIGRAD_REQUIRE_BROWSER"):
        pytest.fail("MINIGRAD_REQUIRE_BROWSER is set but no Chromium was found on PATH")
    if exe is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium; "
                    ".ci/run installs it)")
    with Browser(exe, width=1280, height=900) as b:
        yield b


def _state(b: Browser) -> dict:
    return b.evaluate("""({
        ready: document.body.getAttribute('data-ready'),
        step: document.body.getAttribute('data-step'),
        current: document.body.getAttribute('data-current'),
        highlighted: Array.from(document.querySelectorAll('#graph g.current'))
                          .map(g => g.id),
        detail: document.getElementById('step-detail').textContent,
        label: document.getElementById('step-label').textContent,
        errors: document.getElementById('errors').textContent,
        complete: Array.from(document.querySelectorAll('#leaves tr.complete'))
                       .map(r => r.getAttribute('data-node')),
        hash: location.hash,
    })""")


def _box(b: Browser, node_id: str) -> dict:
    """Where the node is drawn, scrolled into view first."""
    rect = b.evaluate(f"""(() => {{
        const g = document.querySelector("#graph g[id='{node_id}']");
        g.scrollIntoView({{block: "center"}});
        const r = g.getBoundingClientRect();
        return {{x: r.x, y: r.y, width: r.width, height: r.height}};
    }})()""")
    pad = 4
    return {"x": rect["x"] - pad, "y": rect["y"] - pad, "width": rect["width"] + 2 * pad,
            "height": rect["height"] + 2 * pad}


def test_stepping_in_a_browser(browser, tmp_path):
    t = book_network()
    result = viz.backward_steps(t["L"], tmp_path / "steps.html")
    steps = result.steps
    last = len(steps) - 1
    url = (tmp_path / "steps.html").as_uri()

    browser.load(url + "#step=0")
    first = _state(browser)
    assert first["ready"] == "1" and first["errors"] == ""
    assert first["step"] == "0" and first["label"] == f"step 0 of {last}"
    assert first["highlighted"] == [steps[0]["node"]] == [first["current"]]
    assert "the seed" in first["detail"] and "dL/dL" in first["detail"]
    assert first["complete"] == []
    shot_first = browser.screenshot(_box(browser, steps[-1]["node"]))
    legend_first = browser.screenshot(_box(browser, "legend"))

    browser.press("ArrowRight", 39)  # the key steps forward
    second = _state(browser)
    assert second["step"] == "1" and second["hash"] == "#step=1"
    assert second["highlighted"] == [steps[1]["node"]] != first["highlighted"]
    assert "mul" in second["detail"] and "dL/dA = 0.5·dL/dL" in second["detail"]
    browser.press("ArrowLeft", 37)
    assert _state(browser)["step"] == "0"
    browser.evaluate("document.getElementById('next').click()")  # and so does the button
    assert _state(browser)["step"] == "1"

    browser.load(url + f"#step={last}")  # the address selects the step
    end = _state(browser)
    assert end["errors"] == "" and end["step"] == str(last)
    assert end["highlighted"] == [steps[-1]["node"]]
    assert "dL/dW1 = Xᵀ·dL/dM1" in end["detail"]
    assert sorted(end["complete"]) == sorted(leaf["node"] for leaf in _data(result.html)["leaves"])
    # the first matmul is drawn highlighted now and was not at the first step; the legend
    # looks the same throughout
    assert browser.screenshot(_box(browser, steps[-1]["node"])) != shot_first
    assert browser.screenshot(_box(browser, "legend")) == legend_first
    browser.press("End", 35)
    assert _state(browser)["step"] == str(last)  # no step past the last
    browser.press("ArrowRight", 39)
    assert _state(browser)["step"] == str(last)
    assert browser.errors == []  # nothing on the console either


def test_a_script_error_would_be_seen(browser, tmp_path):
    """The error hook the tests rely on does report a failing script."""
    t = book_network()
    page = viz.backward_steps(t["L"]).html.replace('JSON.parse(', 'JSON.parse("{" + ', 1)
    path = tmp_path / "broken.html"
    path.write_text(page, encoding="utf-8")
    browser.load(path.as_uri())
    state = _state(browser)
    assert state["ready"] is None and "error:" in state["errors"]
    assert browser.errors  # reported by the protocol too
    browser.errors.clear()


def test_the_notebook_view_steps_too(browser, tmp_path):
    """_repr_html_ as a notebook would show it: the page in an iframe's srcdoc."""
    t = book_network()
    host = tmp_path / "notebook.html"
    host.write_text("<!DOCTYPE html><html><body><h1>notebook</h1>"
                    + viz.backward_steps(t["L"])._repr_html_() + "</body></html>",
                    encoding="utf-8")
    browser.load(host.as_uri())
    inner = "document.querySelector('iframe').contentDocument"
    assert browser.evaluate(f"{inner}.body.getAttribute('data-ready')") == "1"
    browser.evaluate(f"{inner}.getElementById('next').click()")
    browser.evaluate(f"{inner}.getElementById('next').click()")
    assert browser.evaluate(f"{inner}.body.getAttribute('data-step')") == "2"
    assert browser.evaluate(f"{inner}.getElementById('errors').textContent") == ""
    assert "mse (sum)" in browser.evaluate(f"{inner}.getElementById('step-detail').textContent")
    assert browser.errors == []
