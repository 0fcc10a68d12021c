#!/usr/bin/env python3
"""Builds tests/fixtures/matching_dev.json, the labeled development set of the matcher, from the
hand-written listings in topics.py. Deterministic (seeded): run it again and the file is identical.

Labels: an achievement of the need's own topic is relevant; grade 2 when it also fits the need's
hard constraints (TRL at least the required TRL, a shared transfer mode), grade 1 otherwise. Every
other achievement, including each topic's hard negative, is grade 0 (unlabeled).

Usage: python3 bench/matching/make_devset.py > tests/fixtures/matching_dev.json
"""
import json
import random
import sys
import os

sys.path.insert(0, os.path.dirname(__file__))
from topics import TOPICS  # noqa: E402

MODES = ["LICENCE", "ASSIGNMENT", "JOINT_IMPLEMENTATION", "EQUITY_INVESTMENT"]
UNIS = [
    ("imu", "内蒙古大学", "150104"), ("imust", "内蒙古科技大学", "150203"),
    ("imau", "内蒙古农业大学", "150102"), ("imut", "内蒙古工业大学", "150105"),
    ("immu", "内蒙古医科大学", "150105"), ("bttc", "包头稀土研究院", "150204"),
]
FIRMS = [
    ("yili", "呼和浩特乳业集团", "150100"), ("erdos", "鄂尔多斯能源化工有限公司", "150602"),
    ("baotou-steel", "包头稀土新材料有限公司", "150207"), ("chifeng", "赤峰生物制药有限公司", "150402"),
    ("tongliao", "通辽牧业科技有限公司", "150502"), ("beijing-firm", "北京某科技有限公司", "110108"),
]
NAMES = ["王建国", "李淑芬", "张志强", "刘海燕", "陈明", "杨丽", "赵伟", "巴特尔", "乌云其木格",
         "孟和", "萨仁", "高峰", "孙静", "马骏", "朱红", "胡日查", "其其格", "郭涛"]


def main():
    rng = random.Random(6)
    achievements, needs = [], []
    for t in TOPICS:
        own = []
        for i, (title, summary, kw) in enumerate(t["ach"]):
            org = rng.choice(UNIS)
            a = dict(
                key=f"{t['key']}-a{i + 1}", org=org[0], cluster=t["cluster"], title=title,
                summary=summary, keywords=kw, inventors=rng.sample(NAMES, 2),
                industry=t["industry"], ipc=t["ipc"] if rng.random() < 0.8 else [],
                trl=rng.randint(3, 9), modes=sorted(rng.sample(MODES, rng.randint(1, 2))),
                price=None if rng.random() < 0.35 else rng.choice([10, 30, 50, 80, 120, 300]) * 10000,
                region=org[2], age_days=rng.randint(10, 900),
            )
            achievements.append(a)
            own.append(a)
        title, summary, kw, industry, ipc = t["hard"]
        org = rng.choice(UNIS)
        achievements.append(dict(
            key=f"{t['key']}-hard", org=org[0], cluster=t["cluster"], title=title, summary=summary,
            keywords=kw, inventors=rng.sample(NAMES, 2), industry=industry, ipc=ipc,
            trl=rng.randint(5, 9), modes=sorted(rng.sample(MODES, 2)), price=None,
            region=org[2], age_days=rng.randint(10, 300),
        ))
        for i, (title, desc, kw) in enumerate(t["needs"]):
            org = rng.choice(FIRMS)
            r = rng.random()
            industry = t["industry"] if r < 0.6 else (t["industry"][:3] if r < 0.85 else None)
            n = dict(
                key=f"{t['key']}-n{i + 1}", org=org[0], cluster=t["cluster"], title=title,
                description=desc, keywords=kw, industry=industry,
                ipc=t["ipc"] if rng.random() < 0.5 else [],
                required_trl=rng.choice([None, 4, 5, 6, 7]),
                modes=sorted(rng.sample(MODES, rng.randint(1, 2))),
                budget_max=None if rng.random() < 0.4 else rng.choice([30, 50, 100, 200]) * 10000,
                region=org[2],
            )
            rel = {}
            for a in own:
                fits_trl = n["required_trl"] is None or a["trl"] >= n["required_trl"]
                fits_mode = bool(set(a["modes"]) & set(n["modes"]))
                rel[a["key"]] = 2 if fits_trl and fits_mode else 1
            n["relevant"] = rel
            needs.append(n)
    orgs = [dict(key=k, name_zh=n, kind="UNIVERSITY", region=r) for k, n, r in UNIS]
    orgs += [dict(key=k, name_zh=n, kind="FIRM", region=r) for k, n, r in FIRMS]
    json.dump(dict(organisations=orgs, achievements=achievements, needs=needs), sys.stdout,
              ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
