//! Query understanding for Chinese users (issue 16), shared by both backends: normalising what
//! was typed (NFKC folds full-width letters, digits and spaces; traditional characters become
//! simplified), reading technical notations (`NdFeB`, `Nd-Fe-B` → `ndfeb` and 钕铁硼 from the
//! element symbols), a bilingual term list for English and mixed queries, and — from a lexicon
//! of the words the index holds in titles and keywords — same-sounding typo correction through
//! pinyin (乳清蛋百 → 乳清蛋白, 羊戎 → 羊绒) and abbreviation expansion (锂电 → 锂电池, 锂离子电池).
//! Nothing here knows any particular record set: the lexicon and its abbreviation table are mined
//! from the index; `[search] abbreviations` and `[search] bilingual` add to (and override) what
//! is mined or built in ([`QueryTerms`]).

use pinyin::ToPinyinMulti;
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::search::config::SearchConfig;
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

/// The English words of `text`, lower case (hyphenated words kept whole).
fn english_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The plural folded (`batteries` → `battery`, `magnets` → `magnet`, `glass` kept).
fn stem(w: &str) -> String {
    if let Some(b) = w.strip_suffix("ies") {
        format!("{b}y")
    } else if w.ends_with('s') && !w.ends_with("ss") && w.len() > 1 {
        w[..w.len() - 1].to_string()
    } else {
        w.to_string()
    }
}

/// English function words: a mined phrase holds none.
const ENGLISH_STOP: &[&str] = &[
    "a", "an", "and", "as", "at", "based", "by", "for", "from", "in", "into", "its", "of", "on",
    "or", "the", "to", "using", "via", "with",
];

/// Fewest records with both titles in which a mined pair must appear together.
pub const MINED_BILINGUAL_MIN_RECORDS: u32 = 3;
/// Lowest Dice coefficient, 2·both / (English + Chinese), of a mined pair.
pub const MINED_BILINGUAL_MIN_DICE: f64 = 0.5;

/// Bilingual pairs mined from records that carry both a Chinese and an English title: each
/// English phrase of one to three content words (no function word) and each
/// Chinese word of the same record are counted together; a pair seen in at least
/// [`MINED_BILINGUAL_MIN_RECORDS`] records with a Dice coefficient of at least
/// [`MINED_BILINGUAL_MIN_DICE`] is a candidate, and candidates are linked one to one, best first
/// (competitive linking: a phrase and a word each get their best partner, so `magnet` does not
/// also claim the word `neodymium magnet` took). Phrases already in `known` are skipped. `titles`
/// holds `(Chinese words, English title)` per record; the result is sorted, so the same records
/// give the same list.
pub fn mine_bilingual(
    titles: &[(Vec<String>, String)],
    known: &[(String, String)],
) -> Vec<(String, String)> {
    let known: HashSet<String> = known
        .iter()
        .map(|(e, _)| {
            e.split_whitespace()
                .map(|w| stem(&w.to_lowercase()))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let mut n_en: HashMap<String, u32> = HashMap::new();
    let mut n_zh: HashMap<String, u32> = HashMap::new();
    let mut both: HashMap<(String, String), u32> = HashMap::new();
    for (zh_words, en) in titles {
        let words: Vec<String> = english_words(en).iter().map(|w| stem(w)).collect();
        let mut phrases: HashSet<String> = HashSet::new();
        for n in 1..=3 {
            for win in words.windows(n) {
                if win.iter().any(|w| ENGLISH_STOP.contains(&w.as_str()))
                    || win.iter().all(|w| w.chars().all(|c| c.is_ascii_digit()))
                {
                    continue;
                }
                phrases.insert(win.join(" "));
            }
        }
        let zh: HashSet<&String> = zh_words
            .iter()
            .filter(|w| w.chars().count() >= 2 && w.chars().all(is_cjk))
            .collect();
        for p in &phrases {
            *n_en.entry(p.clone()).or_default() += 1;
            for z in &zh {
                *both.entry((p.clone(), (*z).clone())).or_default() += 1;
            }
        }
        for z in zh {
            *n_zh.entry(z.clone()).or_default() += 1;
        }
    }
    let mut candidates: Vec<(f64, u32, usize, String, String)> = both
        .into_iter()
        .filter(|((e, _), c)| *c >= MINED_BILINGUAL_MIN_RECORDS && !known.contains(e))
        .map(|((e, z), c)| {
            let dice = 2.0 * f64::from(c) / f64::from(n_en[&e] + n_zh[&z]);
            let len = e.split(' ').count();
            (dice, c, len, e, z)
        })
        .filter(|c| c.0 >= MINED_BILINGUAL_MIN_DICE)
        .collect();
    candidates.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(b.1.cmp(&a.1))
            .then(b.2.cmp(&a.2))
            .then(a.3.cmp(&b.3))
            .then(a.4.cmp(&b.4))
    });
    let mut linked_en: HashSet<String> = HashSet::new();
    let mut linked_zh: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for (_, _, _, e, z) in candidates {
        if linked_en.contains(&e) || linked_zh.contains(&z) {
            continue;
        }
        linked_en.insert(e.clone());
        linked_zh.insert(z.clone());
        out.push((e, z));
    }
    out.sort();
    out
}

/// Chinese terms for the English phrases found in `text` (lower case), longest phrases first,
/// each word used once.
pub fn bilingual_terms(list: &[(String, String)], text: &str) -> Vec<String> {
    bilingual_terms_layered(&[list], text)
}

/// [`bilingual_terms`] over several lists in turn: a later list only reads the words an earlier
/// one left (mined pairs never displace the built-in and configured ones).
pub fn bilingual_terms_layered(lists: &[&[(String, String)]], text: &str) -> Vec<String> {
    let words = english_words(text);
    let stemmed: Vec<String> = words.iter().map(|w| stem(w)).collect();
    let mut used = vec![false; words.len()];
    let mut out = Vec::new();
    for list in lists {
        link_phrases(list, &stemmed, &mut used, &mut out);
    }
    out
}

fn link_phrases(
    list: &[(String, String)],
    stemmed: &[String],
    used: &mut [bool],
    out: &mut Vec<String>,
) {
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
}

/// The query as a backend without a lexicon of its own (Meilisearch) should see it: normalised,
/// followed by the Chinese names of its notations, the Chinese terms of its English phrases and
/// the full terms of the configured abbreviations it contains.
pub fn expanded_text(text: &str, terms: &QueryTerms) -> String {
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
    for zh in bilingual_terms(&terms.bilingual, &normalized) {
        out.push(' ');
        out.push_str(&zh);
    }
    let none = HashSet::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for raw in normalized.split_whitespace() {
        let chunk = raw.to_lowercase();
        for short in terms.configured_inside(&chunk, &none) {
            if !seen.insert(short) {
                continue;
            }
            for full in terms.abbreviations.get(short).into_iter().flatten() {
                out.push(' ');
                out.push_str(full);
            }
        }
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
/// first reading of every character (for typos) and by first character (for abbreviations of
/// words the index does not hold), plus the abbreviation table mined from them
/// ([`Lexicon::mined_abbreviations`]).
#[derive(Debug, Default)]
pub struct Lexicon {
    df: HashMap<String, u64>,
    by_sound: HashMap<String, Vec<String>>,
    by_first: HashMap<char, Vec<String>>,
    abbreviations: BTreeMap<String, Vec<String>>,
    bilingual: Vec<(String, String)>,
    mined_bilingual: Vec<(String, String)>,
}

/// Shortest and longest contraction mined (in ideographs).
const ABBREVIATION_LEN: std::ops::RangeInclusive<usize> = 2..=4;
/// A full term is at most this many ideographs longer than its contraction.
const ABBREVIATION_SPAN: usize = 3;
/// Full terms kept per contraction in the mined table.
const MINED_PER_ABBREVIATION: usize = 8;

/// The contraction rule, one pair at a time: `short` (2–4 ideographs) abbreviates `full` when
/// `full` starts with the same character, holds every character of `short` in order, and is one
/// to three characters longer (锂电 ⊂ 锂离子电池, 超容 ⊂ 超级电容器). Frequencies are judged by
/// the caller.
pub fn contracts(short: &str, full: &str) -> bool {
    let sc: Vec<char> = short.chars().collect();
    let n = full.chars().count();
    ABBREVIATION_LEN.contains(&sc.len())
        && sc.iter().all(|c| is_cjk(*c))
        && full.chars().next() == sc.first().copied()
        && n > sc.len()
        && n <= sc.len() + ABBREVIATION_SPAN
        && is_subsequence(&sc, full)
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
        let abbreviations = mine_abbreviations(&df);
        Self {
            df,
            by_sound,
            by_first,
            abbreviations,
            bilingual: Vec::new(),
            mined_bilingual: Vec::new(),
        }
    }

    /// Attaches the bilingual lists queries use with this lexicon: `list` (built-in and
    /// configured) and the `mined` pairs ([`mine_bilingual`]), read only for words `list`
    /// leaves.
    pub fn with_bilingual(
        mut self,
        list: &[(String, String)],
        mined: Vec<(String, String)>,
    ) -> Self {
        self.bilingual = list.to_vec();
        self.mined_bilingual = mined;
        self
    }

    /// Chinese terms for the English phrases of `text`: the attached list first, then the mined
    /// pairs over the words it left.
    pub fn bilingual_terms(&self, text: &str) -> Vec<String> {
        bilingual_terms_layered(&[&self.bilingual, &self.mined_bilingual], text)
    }

    /// The pairs mined from the index ([`Lexicon::with_bilingual`]).
    pub fn mined_bilingual(&self) -> &[(String, String)] {
        &self.mined_bilingual
    }

    /// The abbreviation table mined when the lexicon was built: every word of the index that is
    /// a contraction ([`contracts`]) of a longer word of the index written in more records than
    /// itself — the full term is the usual spelling, the short form the contraction — with its
    /// full terms, most frequent first (ties in code-point order, so the table is the same for the
    /// same index).
    pub fn mined_abbreviations(&self) -> &BTreeMap<String, Vec<String>> {
        &self.abbreviations
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
    /// written short form of a common term (锂电 → 锂离子电池), most frequent first. A word of
    /// the index is looked up in the mined table; a word the index does not hold (a contraction
    /// nobody wrote, 超容 typed for 超级电容器) gets the same rule applied on the spot.
    pub fn expansions(&self, word: &str, max: usize) -> Vec<String> {
        if self.df(word) > 0 {
            return self
                .abbreviations
                .get(word)
                .map(|v| v.iter().take(max).cloned().collect())
                .unwrap_or_default();
        }
        let Some(first) = word.chars().next() else {
            return Vec::new();
        };
        let Some(cands) = self.by_first.get(&first) else {
            return Vec::new();
        };
        cands
            .iter()
            .filter(|w| contracts(word, w))
            .take(max)
            .cloned()
            .collect()
    }
}

/// Mines the contraction table from the long side: for each word, every subsequence that keeps
/// its first character and is a shorter word of the index with fewer records is a contraction
/// of it. At most 20 subsequences per word, so the cost grows with the lexicon, not its square.
fn mine_abbreviations(df: &HashMap<String, u64>) -> BTreeMap<String, Vec<String>> {
    let mut table: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (full, n) in df {
        let fc: Vec<char> = full.chars().collect();
        let lo = (*ABBREVIATION_LEN.start()).max(fc.len().saturating_sub(ABBREVIATION_SPAN));
        let hi = (*ABBREVIATION_LEN.end()).min(fc.len().saturating_sub(1));
        let mut seen: HashSet<String> = HashSet::new();
        for len in lo..=hi {
            for rest in combinations(fc.len() - 1, len - 1) {
                let short: String = std::iter::once(fc[0])
                    .chain(rest.iter().map(|i| fc[i + 1]))
                    .collect();
                if !seen.insert(short.clone()) {
                    continue;
                }
                if df.get(&short).is_some_and(|own| own < n) {
                    table.entry(short).or_default().push(full.clone());
                }
            }
        }
    }
    for fulls in table.values_mut() {
        fulls.sort_by(|a, b| df[b].cmp(&df[a]).then(a.cmp(b)));
        fulls.truncate(MINED_PER_ABBREVIATION);
    }
    table
}

/// Every `k`-element subset of `0..n`, as increasing index lists.
fn combinations(n: usize, k: usize) -> Vec<Vec<usize>> {
    fn go(start: usize, n: usize, k: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for i in start..n {
            if n - i < k - cur.len() {
                break;
            }
            cur.push(i);
            go(i + 1, n, k, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    if k <= n {
        go(0, n, k, &mut Vec::new(), &mut out);
    }
    out
}

/// The configurable term lists of query understanding, built once from `[search]`: the bilingual
/// list (built-in pairs plus `search.bilingual`, a configured English phrase replacing the
/// built-in one), the configured abbreviations (`search.abbreviations`, each replacing what is
/// mined for its short form) and whether abbreviations are mined at all.
#[derive(Debug, Clone)]
pub struct QueryTerms {
    /// English phrase (lower case) → Chinese term.
    pub bilingual: Vec<(String, String)>,
    /// Short form (normalised, lower case) → full terms, as configured.
    pub abbreviations: BTreeMap<String, Vec<String>>,
    /// Expand with the table mined from the index (`search.mine_abbreviations`).
    pub mine_abbreviations: bool,
    /// Add pairs mined from records with both titles (`search.mine_bilingual`).
    pub mine_bilingual: bool,
}

impl Default for QueryTerms {
    fn default() -> Self {
        Self {
            bilingual: default_bilingual(),
            abbreviations: BTreeMap::new(),
            mine_abbreviations: true,
            mine_bilingual: true,
        }
    }
}

/// Where a word's expansions came from: configured full terms are matched as phrases of words,
/// mined ones are single words of the index.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expansions {
    /// The full terms.
    pub terms: Vec<String>,
    /// True when they come from `search.abbreviations`.
    pub configured: bool,
}

impl QueryTerms {
    /// The term lists of a (validated) `[search]` section.
    pub fn from_config(c: &SearchConfig) -> Self {
        let mut bilingual = default_bilingual();
        for pair in &c.bilingual {
            if let [en, zh] = pair.as_slice() {
                let en = normalize(en.trim()).to_lowercase();
                let zh = normalize(zh.trim());
                match bilingual.iter_mut().find(|(e, _)| *e == en) {
                    Some(slot) => slot.1 = zh,
                    None => bilingual.push((en, zh)),
                }
            }
        }
        let mut abbreviations = BTreeMap::new();
        for entry in &c.abbreviations {
            if let [short, fulls @ ..] = entry.as_slice() {
                abbreviations.insert(
                    normalize(short.trim()).to_lowercase(),
                    fulls.iter().map(|f| normalize(f.trim())).collect(),
                );
            }
        }
        Self {
            bilingual,
            abbreviations,
            mine_abbreviations: c.mine_abbreviations,
            mine_bilingual: c.mine_bilingual,
        }
    }

    /// The full terms `word` abbreviates: the configured ones when the word is a configured
    /// short form, else (when mining is on) the lexicon's, at most `max`.
    pub fn expansions(&self, lexicon: Option<&Lexicon>, word: &str, max: usize) -> Expansions {
        if let Some(fulls) = self.abbreviations.get(word) {
            return Expansions {
                terms: fulls.clone(),
                configured: true,
            };
        }
        let terms = match lexicon {
            Some(l) if self.mine_abbreviations => l.expansions(word, max),
            _ => Vec::new(),
        };
        Expansions {
            terms,
            configured: false,
        }
    }

    /// Configured short forms written inside `chunk` (lower case) that are not among `seen`, in
    /// order of first appearance: a contraction the segmenter merged with a neighbour.
    pub fn configured_inside(&self, chunk: &str, seen: &HashSet<String>) -> Vec<&str> {
        let mut found: Vec<(usize, &str)> = self
            .abbreviations
            .keys()
            .filter(|s| !seen.contains(*s))
            .filter_map(|s| {
                let at = if s.chars().any(is_cjk) {
                    chunk.find(s.as_str())
                } else {
                    (chunk == s).then_some(0)
                };
                at.map(|a| (a, s.as_str()))
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, s)| s).collect()
    }
}

/// Checks `search.abbreviations` and `search.bilingual` with a reason naming the entry.
pub fn validate_config(c: &SearchConfig) -> Result<(), String> {
    let mut shorts: HashMap<String, usize> = HashMap::new();
    for (i, entry) in c.abbreviations.iter().enumerate() {
        let Some((short, fulls)) = entry.split_first() else {
            return Err(format!(
                "search.abbreviations[{i}] must be [short form, full term, …]"
            ));
        };
        if fulls.is_empty() || entry.iter().any(|t| t.trim().is_empty()) {
            return Err(format!(
                "search.abbreviations[{i}] must be [short form, full term, …] with non-empty terms"
            ));
        }
        let key = normalize(short.trim()).to_lowercase();
        for f in fulls {
            if f.trim().chars().count() <= key.chars().count() {
                return Err(format!(
                    "search.abbreviations[{i}]: the full term {f:?} must be longer than the short form {short:?}"
                ));
            }
        }
        if let Some(j) = shorts.insert(key, i) {
            return Err(format!(
                "search.abbreviations[{i}] repeats the short form {short:?} of search.abbreviations[{j}]"
            ));
        }
    }
    let mut english: HashMap<String, usize> = HashMap::new();
    for (i, pair) in c.bilingual.iter().enumerate() {
        let [en, zh] = pair.as_slice() else {
            return Err(format!(
                "search.bilingual[{i}] must be a pair [\"english phrase\", \"中文\"]"
            ));
        };
        if !en.chars().any(|c| c.is_ascii_alphanumeric()) || en.chars().any(is_cjk) {
            return Err(format!(
                "search.bilingual[{i}]: {en:?} must be an English phrase (letters or digits, no ideographs)"
            ));
        }
        if !zh.chars().any(is_cjk) {
            return Err(format!(
                "search.bilingual[{i}]: {zh:?} must be a Chinese term"
            ));
        }
        if let Some(j) = english.insert(normalize(en.trim()).to_lowercase(), i) {
            return Err(format!(
                "search.bilingual[{i}] repeats the English phrase {en:?} of search.bilingual[{j}]"
            ));
        }
    }
    Ok(())
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

    fn lexicon(words: &[(&str, u64)]) -> Lexicon {
        Lexicon::new(words.iter().map(|(w, n)| (w.to_string(), *n)))
    }

    #[test]
    fn contractions_are_mined_from_the_lexicon_by_the_written_rule() {
        let lex = lexicon(&[
            ("锂离子电池", 7),
            ("锂电池", 4),
            ("锂电", 1),
            ("超级电容器", 5),
            ("光伏组件", 6),
            ("光伏", 9),
            ("电池", 30),
            ("电解液", 3),
        ]);
        let mined = lex.mined_abbreviations();
        // More frequent full terms first; a contraction written more often than the longer
        // word (光伏 vs 光伏组件) is a word of its own, not a contraction.
        assert_eq!(
            mined.get("锂电"),
            Some(&vec!["锂离子电池".to_string(), "锂电池".to_string()])
        );
        assert_eq!(mined.get("光伏"), None);
        // 锂电池 keeps 锂离子电池's characters in order and is written less often: mined too.
        assert_eq!(mined.get("锂电池"), Some(&vec!["锂离子电池".to_string()]));
        // 电池 does not start 电解液's characters in order.
        assert!(mined.get("电池").is_none());
        // The mined table answers for words of the index, the rule on the spot for others.
        assert_eq!(lex.expansions("锂电", 1), vec!["锂离子电池".to_string()]);
        assert_eq!(lex.expansions("超容", 3), vec!["超级电容器".to_string()]);
        assert!(lex.expansions("容器", 3).is_empty());
        // Deterministic: the same words in another order give the same table.
        let again = lexicon(&[
            ("电解液", 3),
            ("电池", 30),
            ("光伏", 9),
            ("光伏组件", 6),
            ("超级电容器", 5),
            ("锂电", 1),
            ("锂电池", 4),
            ("锂离子电池", 7),
        ]);
        assert_eq!(again.mined_abbreviations(), mined);
        assert!(contracts("锂电", "锂离子电池"));
        assert!(!contracts("锂电", "锂电"));
        assert!(
            !contracts("电池", "锂电池"),
            "must keep the first character"
        );
        assert!(
            !contracts("锂池", "锂离子电化学电池"),
            "at most three characters longer"
        );
    }

    #[test]
    fn configured_abbreviations_override_mined_ones_and_can_be_switched_off() {
        let lex = lexicon(&[("锂离子电池", 7), ("锂电", 1), ("超级电容器", 5)]);
        let config = SearchConfig {
            abbreviations: vec![vec!["锂电".into(), "锂电池".into(), "动力电池".into()]],
            ..SearchConfig::default()
        };
        let terms = QueryTerms::from_config(&config);
        assert_eq!(
            terms.expansions(Some(&lex), "锂电", 3),
            Expansions {
                terms: vec!["锂电池".into(), "动力电池".into()],
                configured: true
            }
        );
        assert_eq!(
            terms.expansions(Some(&lex), "超容", 3).terms,
            vec!["超级电容器".to_string()]
        );
        let off = QueryTerms::from_config(&SearchConfig {
            mine_abbreviations: false,
            ..config
        });
        assert!(off.expansions(Some(&lex), "超容", 3).terms.is_empty());
        assert_eq!(off.expansions(Some(&lex), "锂电", 3).terms.len(), 2);
        let seen: HashSet<String> = HashSet::new();
        assert_eq!(off.configured_inside("锂电正极", &seen), vec!["锂电"]);
        let seen: HashSet<String> = ["锂电".to_string()].into();
        assert!(off.configured_inside("锂电正极", &seen).is_empty());
    }

    #[test]
    fn configured_bilingual_pairs_add_to_and_replace_the_built_in_list() {
        let config = SearchConfig {
            bilingual: vec![
                vec!["Sodium-ion battery".into(), "钠离子电池".into()],
                vec!["battery".into(), "蓄电池".into()],
            ],
            abbreviations: vec![vec!["钠电".into(), "钠离子电池".into()]],
            ..SearchConfig::default()
        };
        let terms = QueryTerms::from_config(&config);
        assert_eq!(
            bilingual_terms(&terms.bilingual, "sodium-ion batteries"),
            vec!["钠离子电池".to_string()]
        );
        assert_eq!(
            bilingual_terms(&terms.bilingual, "battery"),
            vec!["蓄电池".to_string()]
        );
        assert_eq!(
            terms.bilingual.len(),
            default_bilingual().len() + 1,
            "one added, one replaced"
        );
        let text = expanded_text("钠电 隔膜", &terms);
        assert!(text.ends_with(" 钠离子电池"), "{text}");
        assert_eq!(
            expanded_text("钠电", &QueryTerms::default()),
            "钠电",
            "nothing configured, nothing added"
        );
    }

    #[test]
    fn bilingual_pairs_are_mined_from_parallel_titles_one_to_one() {
        let t = |zh: &[&str], en: &str| {
            (
                zh.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
                en.to_string(),
            )
        };
        let titles = vec![
            t(
                &["钕铁硼", "晶界扩散"],
                "Grain boundary diffusion for NdFeB magnets",
            ),
            t(&["钕铁硼", "矫顽力"], "Coercivity of NdFeB magnets"),
            t(
                &["钕铁硼", "废料", "回收"],
                "Scrap recycling for NdFeB magnets",
            ),
            t(&["乳房炎", "诊断"], "Mastitis diagnosis"),
            t(&["乳房炎", "防治"], "Mastitis control"),
            t(&["光伏", "清洗"], "Cleaning of PV modules"),
        ];
        // The longest phrase takes the word; its parts (ndfeb, magnet) cannot take it again;
        // 乳房炎 is seen with mastitis in two records only; phrases hold no function word.
        assert_eq!(
            mine_bilingual(&titles, &[]),
            vec![("ndfeb magnet".to_string(), "钕铁硼".to_string())]
        );
        // A phrase the list already has is not mined again; the next best phrase links.
        let known = vec![("NdFeB magnets".to_string(), "钕铁硼永磁".to_string())];
        assert_eq!(
            mine_bilingual(&titles, &known),
            vec![("magnet".to_string(), "钕铁硼".to_string())]
        );
        let mut reversed = titles.clone();
        reversed.reverse();
        assert_eq!(mine_bilingual(&reversed, &[]), mine_bilingual(&titles, &[]));
        let mined = mine_bilingual(&titles, &[]);
        let lex = Lexicon::new(Vec::new()).with_bilingual(&[], mined.clone());
        assert_eq!(lex.mined_bilingual().len(), 1);
        assert_eq!(
            lex.bilingual_terms("coercivity of NdFeB magnets"),
            vec!["钕铁硼".to_string()]
        );
        // A mined phrase never takes words from the built-in list: `magnet` and `permanent
        // magnet` are built in, so the mined `ndfeb magnet` cannot claim them.
        let lex = Lexicon::new(Vec::new()).with_bilingual(&default_bilingual(), mined);
        assert_eq!(
            lex.bilingual_terms("NdFeB magnets"),
            vec!["磁体".to_string()]
        );
        assert_eq!(
            lex.bilingual_terms("NdFeB permanent magnets"),
            vec!["永磁".to_string()]
        );
    }

    #[test]
    fn bad_term_lists_are_refused_with_the_entry_named() {
        let check = |abbreviations: Vec<Vec<&str>>, bilingual: Vec<Vec<&str>>| {
            let own = |v: Vec<Vec<&str>>| -> Vec<Vec<String>> {
                v.into_iter()
                    .map(|e| e.into_iter().map(str::to_string).collect())
                    .collect()
            };
            validate_config(&SearchConfig {
                abbreviations: own(abbreviations),
                bilingual: own(bilingual),
                ..SearchConfig::default()
            })
        };
        assert!(check(vec![vec!["锂电", "锂电池"]], vec![vec!["pv", "光伏"]]).is_ok());
        for (abbr, bil, needle) in [
            (vec![vec!["锂电"]], vec![], "search.abbreviations[0]"),
            (vec![vec!["锂电", " "]], vec![], "search.abbreviations[0]"),
            (vec![vec!["锂电池", "锂电"]], vec![], "longer than"),
            (
                vec![vec!["锂电", "锂电池"], vec!["鋰電", "锂离子电池"]],
                vec![],
                "search.abbreviations[1] repeats",
            ),
            (
                vec![],
                vec![vec!["pv"]],
                "search.bilingual[0] must be a pair",
            ),
            (vec![], vec![vec!["光伏", "光伏"]], "English phrase"),
            (vec![], vec![vec!["pv", "pv"]], "Chinese term"),
            (
                vec![],
                vec![vec!["PV", "光伏"], vec!["pv", "光伏组件"]],
                "search.bilingual[1] repeats",
            ),
        ] {
            let e = check(abbr, bil).expect_err(needle);
            assert!(e.contains(needle), "{e} lacks {needle}");
        }
    }
}
