//! Query understanding for Chinese users (issue 16), shared by both backends: normalising what
//! was typed (NFKC folds full-width letters, digits and spaces; traditional characters become
//! simplified), reading technical notations (`NdFeB`, `Nd-Fe-B` → `ndfeb` and 钕铁硼 from the
//! element symbols), a bilingual term list for English and mixed queries, and — from a lexicon
//! of the words the index holds in titles and keywords — same-sounding typo correction through
//! pinyin (乳清蛋百 → 乳清蛋白, 羊戎 → 羊绒) and abbreviation expansion (锂电 → 锂电池, 锂离子电池).
//! Nothing here knows any particular record set: the lexicon is mined from the index.

use pinyin::ToPinyinMulti;
use std::collections::{HashMap, HashSet};
use unicode_normalization::UnicodeNormalization;

use super::tokenizer::is_cjk;

/// Folds full-width forms (NFKC), converts traditional characters to simplified and maps the
/// ideographic full stop and comma to spaces.
pub fn normalize(text: &str) -> String {
    let folded: String = text
        .nfkc()
        .map(|c| match c {
            '。' | '，' | '、' | '；' | '：' | '？' | '！' => ' ',
            c => c,
        })
        .collect();
    if folded.chars().any(is_cjk) {
        fast2s::convert(&folded)
    } else {
        folded
    }
}

/// Chemical element symbols and their one-character Chinese names.
const ELEMENTS: &[(&str, &str)] = &[
    ("H", "氢"),
    ("He", "氦"),
    ("Li", "锂"),
    ("Be", "铍"),
    ("B", "硼"),
    ("C", "碳"),
    ("N", "氮"),
    ("O", "氧"),
    ("F", "氟"),
    ("Ne", "氖"),
    ("Na", "钠"),
    ("Mg", "镁"),
    ("Al", "铝"),
    ("Si", "硅"),
    ("P", "磷"),
    ("S", "硫"),
    ("Cl", "氯"),
    ("Ar", "氩"),
    ("K", "钾"),
    ("Ca", "钙"),
    ("Sc", "钪"),
    ("Ti", "钛"),
    ("V", "钒"),
    ("Cr", "铬"),
    ("Mn", "锰"),
    ("Fe", "铁"),
    ("Co", "钴"),
    ("Ni", "镍"),
    ("Cu", "铜"),
    ("Zn", "锌"),
    ("Ga", "镓"),
    ("Ge", "锗"),
    ("As", "砷"),
    ("Se", "硒"),
    ("Br", "溴"),
    ("Rb", "铷"),
    ("Sr", "锶"),
    ("Y", "钇"),
    ("Zr", "锆"),
    ("Nb", "铌"),
    ("Mo", "钼"),
    ("Ag", "银"),
    ("Cd", "镉"),
    ("In", "铟"),
    ("Sn", "锡"),
    ("Sb", "锑"),
    ("Te", "碲"),
    ("I", "碘"),
    ("Cs", "铯"),
    ("Ba", "钡"),
    ("La", "镧"),
    ("Ce", "铈"),
    ("Pr", "镨"),
    ("Nd", "钕"),
    ("Sm", "钐"),
    ("Eu", "铕"),
    ("Gd", "钆"),
    ("Tb", "铽"),
    ("Dy", "镝"),
    ("Ho", "钬"),
    ("Er", "铒"),
    ("Tm", "铥"),
    ("Yb", "镱"),
    ("Lu", "镥"),
    ("Hf", "铪"),
    ("Ta", "钽"),
    ("W", "钨"),
    ("Pt", "铂"),
    ("Au", "金"),
    ("Hg", "汞"),
    ("Pb", "铅"),
    ("Bi", "铋"),
    ("U", "铀"),
];

/// A notation as written (`NdFeB`, `Nd-Fe-B`, `Nd2Fe14B`): the joined lower-case token and, when
/// every part is an element symbol and there are at least two elements without digits, the
/// Chinese name built from the elements (钕铁硼). `None` for ordinary words.
pub fn notation(token: &str) -> Option<(String, Option<String>)> {
    if !token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let joined: String = token.chars().filter(|c| *c != '-').collect();
    if joined.len() < 2 || !joined.chars().any(|c| c.is_ascii_uppercase()) {
        return None;
    }
    let mut names = String::new();
    let mut count = 0;
    let mut digits = false;
    let cs: Vec<char> = joined.chars().collect();
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        if c.is_ascii_digit() {
            digits = true;
            i += 1;
            continue;
        }
        if !c.is_ascii_uppercase() {
            return Some((joined.to_lowercase(), None));
        }
        let two: String = cs[i..(i + 2).min(cs.len())].iter().collect();
        let one = c.to_string();
        let hit = if two.len() == 2 && cs[i + 1].is_ascii_lowercase() {
            ELEMENTS.iter().find(|(s, _)| *s == two).map(|e| (e, 2))
        } else {
            ELEMENTS.iter().find(|(s, _)| *s == one).map(|e| (e, 1))
        };
        match hit {
            Some(((_, zh), n)) => {
                names.push_str(zh);
                count += 1;
                i += n;
            }
            None => return Some((joined.to_lowercase(), None)),
        }
    }
    let chinese =
        (count >= 2 && !digits && token.contains('-') || count >= 3 && !digits).then_some(names);
    Some((joined.to_lowercase(), chinese))
}

/// The default bilingual term list: English (lower case, as typed) → Chinese. Domain words of
/// technology transfer in general; configurable under `search.bilingual`.
pub fn default_bilingual() -> Vec<(String, String)> {
    const PAIRS: &[(&str, &str)] = &[
        ("lithium-ion battery", "锂离子电池"),
        ("lithium battery", "锂电池"),
        ("battery", "电池"),
        ("cathode", "正极"),
        ("anode", "负极"),
        ("electrolyte", "电解液"),
        ("separator", "隔膜"),
        ("fuel cell", "燃料电池"),
        ("solar cell", "太阳能电池"),
        ("photovoltaic", "光伏"),
        ("pv", "光伏"),
        ("perovskite", "钙钛矿"),
        ("supercapacitor", "超级电容器"),
        ("hydrogen", "氢"),
        ("hydrogen storage", "储氢"),
        ("electrolysis", "电解"),
        ("wind turbine", "风力发电机组"),
        ("wind power", "风电"),
        ("smart grid", "智能电网"),
        ("energy storage", "储能"),
        ("magnet", "磁体"),
        ("permanent magnet", "永磁"),
        ("rare earth", "稀土"),
        ("neodymium", "钕"),
        ("polishing", "抛光"),
        ("alloy", "合金"),
        ("superalloy", "高温合金"),
        ("aluminium", "铝"),
        ("aluminum", "铝"),
        ("magnesium", "镁"),
        ("titanium", "钛"),
        ("silicon", "硅"),
        ("silicon carbide", "碳化硅"),
        ("sic", "碳化硅"),
        ("gallium nitride", "氮化镓"),
        ("gan", "氮化镓"),
        ("lifepo4", "磷酸铁锂"),
        ("lithium iron phosphate", "磷酸铁锂"),
        ("graphene", "石墨烯"),
        ("semiconductor", "半导体"),
        ("monocrystalline", "单晶"),
        ("wafer", "晶圆"),
        ("coating", "涂层"),
        ("catalyst", "催化剂"),
        ("membrane", "膜"),
        ("polymer", "聚合物"),
        ("plastic", "塑料"),
        ("biodegradable", "生物降解"),
        ("polylactic acid", "聚乳酸"),
        ("pla", "聚乳酸"),
        ("mulch film", "地膜"),
        ("film", "薄膜"),
        ("fiber", "纤维"),
        ("fibre", "纤维"),
        ("textile", "纺织"),
        ("cashmere", "羊绒"),
        ("wool", "羊毛"),
        ("dyeing", "染色"),
        ("spinning", "纺纱"),
        ("additive manufacturing", "增材制造"),
        ("3d printing", "3D打印"),
        ("machine tool", "机床"),
        ("cnc", "数控"),
        ("robot", "机器人"),
        ("industrial robot", "工业机器人"),
        ("welding", "焊接"),
        ("casting", "铸造"),
        ("die casting", "压铸"),
        ("heat treatment", "热处理"),
        ("corrosion", "腐蚀"),
        ("sensor", "传感器"),
        ("sensing", "传感"),
        ("optical fiber", "光纤"),
        ("fiber optic", "光纤"),
        ("lidar", "激光雷达"),
        ("laser", "激光"),
        ("radar", "雷达"),
        ("drone", "无人机"),
        ("uav", "无人机"),
        ("unmanned aerial vehicle", "无人机"),
        ("navigation", "导航"),
        ("beidou", "北斗"),
        ("satellite", "卫星"),
        ("positioning", "定位"),
        ("internet of things", "物联网"),
        ("iot", "物联网"),
        ("blockchain", "区块链"),
        ("deep learning", "深度学习"),
        ("machine learning", "机器学习"),
        ("artificial intelligence", "人工智能"),
        ("ai", "人工智能"),
        ("image recognition", "图像识别"),
        ("speech recognition", "语音识别"),
        ("defect detection", "缺陷检测"),
        ("electric vehicle", "电动汽车"),
        ("new energy vehicle", "新能源汽车"),
        ("nev", "新能源汽车"),
        ("charging", "充电"),
        ("motor", "电机"),
        ("wastewater", "废水"),
        ("sewage", "污水"),
        ("water treatment", "水处理"),
        ("sludge", "污泥"),
        ("desulfurization", "脱硫"),
        ("denitrification", "脱硝"),
        ("flue gas", "烟气"),
        ("carbon capture", "碳捕集"),
        ("co2", "二氧化碳"),
        ("carbon dioxide", "二氧化碳"),
        ("coal", "煤"),
        ("coal gangue", "煤矸石"),
        ("fly ash", "粉煤灰"),
        ("gasification", "气化"),
        ("olefin", "烯烃"),
        ("cement", "水泥"),
        ("building materials", "建材"),
        ("fertilizer", "肥料"),
        ("organic fertilizer", "有机肥"),
        ("irrigation", "灌溉"),
        ("drip irrigation", "滴灌"),
        ("soil", "土壤"),
        ("straw", "秸秆"),
        ("dairy", "乳业"),
        ("milk", "牛奶"),
        ("cattle", "牛"),
        ("sheep", "羊"),
        ("whey protein", "乳清蛋白"),
        ("protein", "蛋白"),
        ("probiotic", "益生菌"),
        ("lactic acid bacteria", "乳酸菌"),
        ("yogurt", "酸奶"),
        ("fermentation", "发酵"),
        ("starch", "淀粉"),
        ("potato", "马铃薯"),
        ("juice", "果汁"),
        ("sea buckthorn", "沙棘"),
        ("herbal", "中药"),
        ("traditional chinese medicine", "中药"),
        ("mongolian medicine", "蒙药"),
        ("extraction", "提取"),
        ("flavonoid", "黄酮"),
        ("polysaccharide", "多糖"),
        ("vaccine", "疫苗"),
        ("diagnosis", "诊断"),
        ("recycling", "回收"),
        ("traceability", "溯源"),
        ("inspection", "巡检"),
        ("gateway", "网关"),
        ("inverter", "逆变器"),
        ("blade", "叶片"),
        ("power device", "功率器件"),
        ("substrate", "衬底"),
        ("epitaxy", "外延"),
        ("precursor", "前驱体"),
    ];
    PAIRS
        .iter()
        .map(|(e, z)| (e.to_string(), z.to_string()))
        .collect()
}

/// Chinese terms for the English phrases found in `text` (lower case), longest phrases first,
/// each word used once.
pub fn bilingual_terms(list: &[(String, String)], text: &str) -> Vec<String> {
    let words: Vec<String> = text
        .to_lowercase()
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let stem = |w: &str| {
        if let Some(b) = w.strip_suffix("ies") {
            format!("{b}y")
        } else if w.ends_with('s') && !w.ends_with("ss") {
            w[..w.len() - 1].to_string()
        } else {
            w.to_string()
        }
    };
    let mut used = vec![false; words.len()];
    let mut out = Vec::new();
    let mut phrases: Vec<(Vec<String>, &String)> = list
        .iter()
        .map(|(e, z)| {
            (
                e.split(|c: char| c.is_whitespace())
                    .map(stem)
                    .collect::<Vec<_>>(),
                z,
            )
        })
        .collect();
    phrases.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
    let stemmed: Vec<String> = words.iter().map(|w| stem(w)).collect();
    for (p, z) in phrases {
        let n = p.len();
        if n == 0 || n > stemmed.len() {
            continue;
        }
        for i in 0..=stemmed.len() - n {
            if used[i..i + n].iter().any(|u| *u) {
                continue;
            }
            if stemmed[i..i + n] == p[..] {
                used[i..i + n].iter_mut().for_each(|u| *u = true);
                if !out.contains(z) {
                    out.push(z.clone());
                }
            }
        }
    }
    out
}

/// The query as a backend without a lexicon of its own (Meilisearch) should see it: normalised,
/// followed by the Chinese names of its notations and the Chinese terms of its English phrases.
pub fn expanded_text(text: &str, bilingual: &[(String, String)]) -> String {
    let normalized = normalize(text);
    let mut out = normalized.clone();
    for raw in normalized.split_whitespace() {
        if let Some((joined, chinese)) = notation(raw) {
            if joined != raw {
                out.push(' ');
                out.push_str(&joined);
            }
            if let Some(zh) = chinese {
                out.push(' ');
                out.push_str(&zh);
            }
        }
    }
    for zh in bilingual_terms(bilingual, &normalized) {
        out.push(' ');
        out.push_str(&zh);
    }
    out
}

/// Toneless readings of a character, with the usual fuzzy pairs folded (zh/z, ch/c, sh/s, n/l,
/// -ng/-n), so 镓 and 家 or 绒 and 戎 read alike; the character itself when it has no reading.
fn readings(c: char) -> Vec<String> {
    match c.to_pinyin_multi() {
        Some(m) => (0..m.count())
            .map(|i| fuzzy(m.get(i).plain()))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect(),
        None => vec![c.to_string()],
    }
}

fn fuzzy(p: &str) -> String {
    let mut s = p.to_string();
    for (from, to) in [("zh", "z"), ("ch", "c"), ("sh", "s")] {
        if s.starts_with(from) {
            s = format!("{to}{}", &s[from.len()..]);
        }
    }
    if s.starts_with('l') {
        s = format!("n{}", &s[1..]);
    }
    if s.ends_with("ng") {
        s.pop();
    }
    s
}

/// True when two characters can be typed for each other through pinyin input.
pub fn sound_alike(a: char, b: char) -> bool {
    let ra = readings(a);
    readings(b).iter().any(|r| ra.contains(r))
}

/// Words of the index's titles and keywords with their document frequencies, looked up by the
/// first reading of every character (for typos) and by first character (for abbreviations).
#[derive(Debug, Default)]
pub struct Lexicon {
    df: HashMap<String, u64>,
    by_sound: HashMap<String, Vec<String>>,
    by_first: HashMap<char, Vec<String>>,
}

fn sound_key(word: &str) -> String {
    word.chars()
        .map(|c| {
            let mut r = readings(c);
            r.sort();
            r.into_iter().next().unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("'")
}

impl Lexicon {
    /// Builds the lexicon from `(word, document frequency)` pairs; only words of two to eight
    /// ideographs are kept.
    pub fn new(words: impl IntoIterator<Item = (String, u64)>) -> Self {
        let mut df: HashMap<String, u64> = HashMap::new();
        for (w, n) in words {
            let len = w.chars().count();
            if (2..=8).contains(&len) && w.chars().all(is_cjk) {
                *df.entry(w).or_default() += n;
            }
        }
        let mut by_sound: HashMap<String, Vec<String>> = HashMap::new();
        let mut by_first: HashMap<char, Vec<String>> = HashMap::new();
        for w in df.keys() {
            by_sound.entry(sound_key(w)).or_default().push(w.clone());
            if let Some(c) = w.chars().next() {
                by_first.entry(c).or_default().push(w.clone());
            }
        }
        for v in by_sound.values_mut().chain(by_first.values_mut()) {
            v.sort_by(|a, b| df[b].cmp(&df[a]).then(a.cmp(b)));
        }
        Self {
            df,
            by_sound,
            by_first,
        }
    }

    /// Document frequency of a word (0 when unknown).
    pub fn df(&self, word: &str) -> u64 {
        self.df.get(word).copied().unwrap_or(0)
    }

    /// Number of words held.
    pub fn len(&self) -> usize {
        self.df.len()
    }

    /// True when no word is held.
    pub fn is_empty(&self) -> bool {
        self.df.is_empty()
    }

    /// The known word that sounds like `s` and differs from it in exactly one character.
    fn sounds_like(&self, s: &str) -> Option<&String> {
        let sc: Vec<char> = s.chars().collect();
        for key in sound_keys(&sc) {
            if let Some(ws) = self.by_sound.get(&key) {
                let hit = ws.iter().find(|w| {
                    let wc: Vec<char> = w.chars().collect();
                    wc.len() == sc.len()
                        && wc.iter().zip(&sc).filter(|(a, b)| a != b).count() == 1
                        && wc
                            .iter()
                            .zip(&sc)
                            .all(|(a, b)| a == b || sound_alike(*a, *b))
                });
                if hit.is_some() {
                    return hit;
                }
            }
        }
        None
    }

    /// Corrects same-sounding typos in `text`: spans overlapping a `suspicious` character
    /// position (a character the segmenter left alone, or a word the index does not know) are
    /// replaced by the longest known word that sounds alike and differs in one character.
    /// `None` when nothing was corrected.
    pub fn correct(&self, text: &str, suspicious: &[bool]) -> Option<String> {
        let cs: Vec<char> = text.chars().collect();
        let mut out = cs.clone();
        let mut done = vec![false; cs.len()];
        let mut changed = false;
        for len in (2..=8.min(cs.len())).rev() {
            for i in 0..=cs.len() - len {
                let span = &cs[i..i + len];
                if !span.iter().all(|c| is_cjk(*c))
                    || done[i..i + len].iter().any(|d| *d)
                    || !suspicious
                        .get(i..i + len)
                        .is_some_and(|s| s.iter().any(|x| *x))
                {
                    continue;
                }
                let s: String = span.iter().collect();
                if self.df(&s) > 0 {
                    continue;
                }
                if let Some(w) = self.sounds_like(&s) {
                    for (k, c) in w.chars().enumerate() {
                        out[i + k] = c;
                        done[i + k] = true;
                    }
                    changed = true;
                }
            }
        }
        changed.then(|| out.into_iter().collect())
    }

    /// Longer known words a short word may abbreviate: they start with its first character,
    /// contain its characters in order and are more frequent than the word itself — a rarely
    /// written short form of a common term (锂电 → 锂离子电池), most frequent first.
    pub fn expansions(&self, word: &str, max: usize) -> Vec<String> {
        let wc: Vec<char> = word.chars().collect();
        if !(2..=4).contains(&wc.len()) || !wc.iter().all(|c| is_cjk(*c)) {
            return Vec::new();
        }
        let Some(cands) = self.by_first.get(&wc[0]) else {
            return Vec::new();
        };
        let own = self.df(word);
        cands
            .iter()
            .filter(|w| self.df(w) > own)
            .filter(|w| {
                let n = w.chars().count();
                n > wc.len() && n <= wc.len() + 3 && is_subsequence(&wc, w)
            })
            .take(max)
            .cloned()
            .collect()
    }
}

fn sound_keys(cs: &[char]) -> Vec<String> {
    // Every combination of readings, capped: heteronyms are few in practice.
    let mut keys: Vec<Vec<String>> = vec![Vec::new()];
    for c in cs {
        let rs = readings(*c);
        let mut next = Vec::new();
        for k in &keys {
            for r in &rs {
                let mut k2 = k.clone();
                k2.push(r.clone());
                next.push(k2);
            }
        }
        next.truncate(16);
        keys = next;
    }
    keys.into_iter().map(|k| k.join("'")).collect()
}

fn is_subsequence(needle: &[char], hay: &str) -> bool {
    let mut it = needle.iter().peekable();
    for c in hay.chars() {
        if it.peek() == Some(&&c) {
            it.next();
        }
    }
    it.peek().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_and_traditional_are_normalised() {
        assert_eq!(normalize("ＮｄＦｅＢ　永磁"), "NdFeB 永磁");
        assert_eq!(normalize("鋰離子電池"), "锂离子电池");
        assert_eq!(normalize("lithium battery"), "lithium battery");
    }

    #[test]
    fn notations_are_read_from_element_symbols() {
        assert_eq!(
            notation("NdFeB"),
            Some(("ndfeb".into(), Some("钕铁硼".into())))
        );
        assert_eq!(
            notation("Nd-Fe-B"),
            Some(("ndfeb".into(), Some("钕铁硼".into())))
        );
        assert_eq!(notation("LiFePO4"), Some(("lifepo4".into(), None)));
        assert_eq!(notation("battery"), None);
        assert_eq!(notation("UAV").map(|n| n.0), Some("uav".into()));
    }

    #[test]
    fn bilingual_phrases_win_over_their_words() {
        let l = default_bilingual();
        assert_eq!(
            bilingual_terms(&l, "Cathode materials for lithium-ion batteries"),
            vec!["锂离子电池".to_string(), "正极".to_string()]
        );
    }

    #[test]
    fn same_sounding_typos_are_corrected_and_abbreviations_expanded() {
        let lex = Lexicon::new(
            [
                ("乳清蛋白", 5),
                ("羊绒", 9),
                ("锂电池", 4),
                ("锂离子电池", 7),
                ("锂电", 1),
                ("蛋白", 20),
            ]
            .map(|(w, n)| (w.to_string(), n)),
        );
        assert_eq!(
            lex.correct("乳清蛋百", &[false, false, true, true]),
            Some("乳清蛋白".into())
        );
        assert_eq!(lex.correct("羊戎", &[true, true]), Some("羊绒".into()));
        assert_eq!(lex.correct("羊绒", &[true, true]), None);
        assert_eq!(lex.correct("乳清蛋百", &[false; 4]), None);
        assert_eq!(
            lex.expansions("锂电", 3),
            vec!["锂离子电池".to_string(), "锂电池".to_string()]
        );
        assert!(sound_alike('镓', '家'));
        assert!(!sound_alike('锂', '电'));
    }
}
