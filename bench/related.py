"""Related diaries benchmark: every list from scratch, and what one edit recomputes.

``python tasks.py bench related CACHE... [--baseline f2be632]``. Each file is a
build's ``.cache/search/related.sqlite`` (``related.pickle`` before session 10, ``related.json`` before 7; read only: its
``signatures``). For each, against
``plugins/search/related.py`` as it was at ``--baseline`` (the capped lists, loaded from git):

1. all lists: CPU seconds and peak resident memory of one process computing every list
   (each way in its own forked process, so one's memory does not hide the other's);
2. exactness: a sample of today's lists against a brute-force top list over all signatures;
3. one edit at a time (a word reweighted, a word swapped, a diary added, a diary removed):
   how many lists ``update_lists`` recomputes and how many change, and its CPU seconds.
"""

from __future__ import annotations

import ast
import heapq
import json
import multiprocessing
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import click

from bench.common import ROOT, machine, save

COUNT = 5  # SEARCH["related"]'s default


def baseline(revision: str) -> ModuleType:
    """``related.py`` at ``revision``, its relative imports taken from today's package (the
    lists' functions need none of them; module-level names may)."""
    source = subprocess.run(
        ["git", "show", f"{revision}:plugins/search/related.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    current()  # plugins/ on the path
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level:
            node.module, node.level = f"search.{node.module}" if node.module else "search", 0
    module = ModuleType(f"related_at_{revision}")
    exec(compile(tree, f"related.py@{revision}", "exec"), module.__dict__)
    return module


def current() -> ModuleType:
    sys.path.insert(0, str(ROOT / "plugins"))
    from search import related

    return related


def measured(work: Any) -> tuple[Any, float, float]:
    """``work()``'s answer, CPU seconds and peak resident MB, in a forked process."""

    def child(send: Any) -> None:
        started = time.process_time()
        answer = work()
        send.send((answer, time.process_time() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))

    forked = multiprocessing.get_context("fork")
    receive, send = forked.Pipe(duplex=False)
    process = forked.Process(target=child, args=(send,))
    process.start()
    send.close()
    answer = receive.recv()
    process.join()
    return answer


def brute(signatures: dict, key: str, score: Any) -> list[tuple[str, float]]:
    found = ((other, score(signatures[key], theirs)) for other, theirs in signatures.items() if other != key)
    return [(o, s) for o, s in heapq.nsmallest(COUNT, found, key=lambda item: (-item[1], item[0])) if s > 0]


def edited(signatures: dict, kind: str, rng: random.Random, number: int) -> dict:
    """A copy of ``signatures`` with one diary's edit of ``kind``."""
    changed = dict(signatures)
    key = rng.choice(sorted(signatures))
    if kind == "remove":
        del changed[key]
        return changed
    signature = dict(signatures[key])
    if kind == "reweight":
        word = rng.choice(sorted(signature))
        signature[word] = round(signature[word] * 1.15, 4)
    else:  # swap or add: the weakest word replaced by another diary's word
        weakest = min(signature, key=lambda word: (signature[word], word))
        weight = signature.pop(weakest)
        words = sorted(set(signatures[rng.choice(sorted(signatures))]) - set(signature) - {weakest})
        if words:
            signature[rng.choice(words)] = weight
    changed[f"bench/added-{number}" if kind == "add" else key] = signature
    return changed


def one_edits(
    module: ModuleType, signatures: dict, lists: dict, edits: int, seed: int, real: dict | None
) -> list[dict]:
    rng = random.Random(seed)
    kinds = ["reweight", "swap", "add", "remove"]
    rows = []
    for number in range(edits + (real is not None)):
        kind = kinds[number % len(kinds)] if number < edits else "real edit"
        after = edited(signatures, kind, rng, number) if number < edits else real
        started = time.process_time()
        fresh, redone = module.update_lists(signatures, lists, after, COUNT)
        cpu = time.process_time() - started
        differ = sum(1 for key in fresh if [list(pair) for pair in fresh[key]] != [list(p) for p in lists.get(key, [])])
        signed = sum(1 for key in after.keys() | signatures.keys() if after.get(key) != signatures.get(key))
        rows.append(
            {
                "kind": kind,
                "signatures_changed": signed,
                "recomputed": len(redone),
                "changed": differ,
                "cpu_s": round(cpu, 2),
            }
        )
    return rows


def signatures_in(cache: Path) -> dict:
    """The signatures a build kept: ``related.sqlite``, or an older build's ``related.pickle``
    or ``related.json``."""
    from netroots.site import read_pickle

    if cache.suffix == ".sqlite":
        from search.store import kept_rows

        found = kept_rows(cache)
    else:
        found = json.loads(cache.read_text()) if cache.suffix == ".json" else read_pickle(cache)
    return found["signatures"]


@click.command()
@click.argument("caches", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--baseline", "revision", default="f2be632", show_default=True, help="The git revision compared.")
@click.option("--edits", default=8, show_default=True, help="One-diary edits simulated (kinds in turn).")
@click.option("--sample", default=20, show_default=True, help="Lists checked against a brute-force computation.")
@click.option("--seed", default=7, show_default=True)
@click.option(
    "--real-edit",
    nargs=2,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="BEFORE AFTER: the related cache of a build before and after an edit; BEFORE among the CACHES.",
)
def command(
    caches: tuple[Path, ...], revision: str, edits: int, sample: int, seed: int, real_edit: tuple[Path, Path] | None
) -> None:
    """Compare the related lists at --baseline with today's: all lists, exactness, one edit."""
    old, new = baseline(revision), current()
    result: dict = {"machine": machine(), "baseline": revision, "sizes": []}
    for cache in caches:
        signatures = signatures_in(cache)
        row: dict = {"cache": str(cache), "diaries": len(signatures)}
        click.echo(f"{cache}: {len(signatures)} signatures")
        for name, module in (("baseline", old), ("today", new)):
            lists, cpu, peak = measured(
                lambda module=module, signatures=signatures: module.update_lists({}, {}, signatures, COUNT)[0]
            )
            row[name] = {"all_lists_cpu_s": round(cpu, 2), "peak_mb": round(peak), "lists": lists}
            click.echo(f"  {name}: all lists {cpu:.2f} CPU s, peak {peak:.0f} MB resident")
        keys = random.Random(seed).sample(sorted(signatures), min(sample, len(signatures)))
        exact = {key: brute(signatures, key, new.score) for key in keys}
        for name in ("baseline", "today"):
            lists = row[name].pop("lists")
            row[name]["exact_in_sample"] = sum(1 for key in keys if [tuple(p) for p in lists[key]] == exact[key])
            real = None
            if real_edit and real_edit[0].resolve() == cache.resolve():
                real = signatures_in(real_edit[1])
            row[name]["edits"] = one_edits(old if name == "baseline" else new, signatures, lists, edits, seed, real)
            click.echo(f"  {name}: {row[name]['exact_in_sample']} of {len(keys)} sampled lists exact")
            for edit in row[name]["edits"]:
                click.echo(
                    f"    {edit['kind']} ({edit['signatures_changed']} signatures): {edit['recomputed']} lists recomputed, {edit['changed']} changed, "
                    f"{edit['cpu_s']} CPU s"
                )
        result["sizes"].append(row)
    result["command"] = f"python tasks.py bench related {' '.join(map(str, caches))} --baseline {revision} " + (
        f"--edits {edits} --sample {sample} --seed {seed}"
    )
    if real_edit:
        result["command"] += f" --real-edit {real_edit[0]} {real_edit[1]}"
    click.echo(f"Saved {save('related', result)}")
