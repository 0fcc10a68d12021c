#!/usr/bin/env python3
"""Writes N synthetic achievement rows as a CSV with the Chinese headers universities use
(成果名称, 成果类型, 完成人, …) and valid patent numbers, for the import benchmark.
Usage: python3 bench/make_csv.py N OUT.csv [--encoding gbk]"""
import csv
import random
import sys

W = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
SUBJECTS = ["锂离子电池正极材料", "稀土永磁体", "羊乳粉", "光伏组件", "蒙药复方制剂", "煤气化废水", "马铃薯全粉", "风电叶片", "氢燃料电池", "石墨烯涂层"]
METHODS = ["制备方法", "加工工艺", "检测装置", "控制系统", "回收方法"]
INDUSTRY = ["C3841", "C3240", "C1442", "D4416", "C2740", "C2614", "C1391", "D4415", "C3849", "C3099"]
IPC = ["H01M 4/525", "H01F 1/057", "A23C 9/12", "H01L 31/18", "A61K 36/00", "C02F 9/00", "A23L 19/12", "F03D 1/06", "H01M 8/10", "C01B 32/184"]
MODES = ["转让", "许可", "合作实施", "作价投资"]
STAGES = ["正在研发", "已有样品", "通过小试", "通过中试", "可以量产"]


def check(body):
    r = sum(int(d) * w for d, w in zip(body, W)) % 11
    return "X" if r == 10 else str(r)


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    enc = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--encoding" else "utf-8"
    rng = random.Random(42)
    with open(out, "w", encoding=enc, newline="") as f:
        w = csv.writer(f)
        w.writerow(["成果编号", "成果名称", "成果类型", "完成人", "成果简介", "关键词", "技术领域", "IPC分类号", "成熟度", "转化方式", "价格", "联系人", "专利号"])
        for i in range(n):
            k = i % len(SUBJECTS)
            body = "%d1%07d" % (2010 + (i // 10_000_000) % 15, i % 10_000_000)
            w.writerow([
                "CSV-%08d" % i,
                "一种%s的%s（%d）" % (SUBJECTS[k], METHODS[i % len(METHODS)], i),
                "专利",
                "张伟、乌力吉",
                "本成果涉及%s，技术指标较现有工艺提升%d%%，已完成中试验证，适合规模化推广。" % (SUBJECTS[k], 10 + i % 50),
                "%s；新材料" % SUBJECTS[k][:2],
                INDUSTRY[k],
                IPC[k],
                STAGES[i % len(STAGES)],
                "、".join(rng.sample(MODES, 2)),
                "面议" if i % 3 == 0 else "%d万元" % (10 + i % 500),
                "李老师",
                "CN%s.%s" % (body, check(body)),
            ])


if __name__ == "__main__":
    main()
