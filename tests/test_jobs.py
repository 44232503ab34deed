"""Spreading collect over processes must not change a single finding."""

from fill_kit import fill_template
from synthetic import synthetic_agreement, synthetic_answers

from workbook_tools import workers
from workbook_tools.inbox import Incoming, file_received
from workbook_tools.master import write_master
from workbook_tools.pipeline import check_all, collect_round
from workbook_tools.returncheck import CollectContext
from workbook_tools.template import generate_templates


def test_findings_are_the_same_with_one_and_two_workers(tmp_path, texts, monkeypatch):
    agreement = synthetic_agreement(committees=10, elements=2)
    master = write_master(agreement, tmp_path / "master.xlsx")
    made = generate_templates(agreement, 1, tmp_path / "templates", texts)
    returns = tmp_path / "returns"
    returns.mkdir()
    for k, m in enumerate(made):
        answers = synthetic_answers(agreement, m.committee, 1)
        if k % 3 == 0:  # some returns leave a smiley out or explain nothing
            answers[0] = answers[0].__class__(answers[0].element, 1, None, "", answers[0].economy, "")
        fill_template(tmp_path / "templates" / m.file, returns / m.file, agreement, m.committee, 1, answers, texts)
    (returns / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (returns / "notes.txt.xlsx").write_text("a note\n")

    ctx = CollectContext(agreement, 1, texts)
    incoming = [Incoming(p, p.name, file_received(p)) for p in sorted(returns.iterdir())]
    pools = []
    real_pool = workers.ProcessPoolExecutor
    monkeypatch.setattr(workers, "ProcessPoolExecutor", lambda *a, **kw: pools.append(kw["max_workers"]) or real_pool(*a, **kw))
    one = check_all(incoming, ctx, jobs=1)
    assert pools == []
    two = check_all(incoming, ctx, jobs=2)
    assert pools == [2], "the second run really went through two worker processes"
    assert [c.problems for c in one] == [c.problems for c in two]
    assert [c.results for c in one] == [c.results for c in two]
    assert any(c.problems for c in one) and any(c.accepted for c in one)

    run1 = collect_round(master, 1, [returns], tmp_path / "out1", jobs=1)
    run2 = collect_round(master, 1, [returns], tmp_path / "out2", jobs=2)
    assert run1.problems == run2.problems
    assert run1.agreement == run2.agreement
