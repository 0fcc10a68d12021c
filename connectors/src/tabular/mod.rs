//! Spreadsheets institutions already keep: CSV (UTF-8 with or without BOM, or GBK/GB18030) and
//! XLSX/XLS/ODS workbooks, with Chinese or English headers mapped to record fields by default
//! and a [`Mapping`] file for everything else.
//!
//! CSV files are streamed: the encoding check and the decoding read fixed-size chunks, and only
//! one page of rows is held at a time. Workbooks are read through calamine, which loads the
//! chosen sheet (an XLSX sheet holds at most 1,048,576 rows).
//!
//! A bad value (TRL, price, type, transfer mode) or a missing title rejects that row only, with
//! the location `row N, column 列名` (N as a spreadsheet shows it, the header being row 1) and
//! the row re-serialised as CSV. Pages hold 1,000 rows; the checkpoint is the number of data rows
//! consumed, and resuming skips that many.
//!
//! Reading is synchronous inside the async methods: a call reads at most one page (1,000 rows,
//! a few milliseconds), which is cheaper than handing the reader to a blocking thread.

mod decode;
mod mapping;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use calamine::{open_workbook_auto, Data, Range, Reader};
use encoding_rs::Encoding;

pub use mapping::Mapping;

use crate::vocabulary::{self, header_hint, Field};
use crate::{Connector, ConnectorError, HarvestRequest, Item, NormalisedRecord, Page, RecordError};

/// Rows per page.
pub const PAGE_ROWS: u64 = 1_000;

/// How many leading rows are searched for the header row (sheets often start with a title line).
const HEADER_SEARCH_ROWS: usize = 10;

/// A CSV or workbook file as a source of achievement records.
pub struct TabularConnector {
    path: PathBuf,
    format: Format,
    layout: Layout,
    defaults: Vec<(Field, String)>,
    state: Option<State>,
}

/// How the file is read.
enum Format {
    /// Delimited text in a detected encoding.
    Csv {
        encoding: &'static Encoding,
        delimiter: u8,
    },
    /// One worksheet, loaded by calamine.
    Sheet { range: Range<Data> },
}

/// Where the header is and what each column fills.
struct Layout {
    /// 0-based index of the header among the file's rows (rows before it are skipped).
    header_index: usize,
    /// The spreadsheet row number of the first data row.
    first_data_row: u64,
    /// Mapped columns in file order.
    columns: Vec<Column>,
    /// Header of the first title column, named when a row has no title.
    title_header: String,
    /// Header of the source id column, if any.
    id_column: Option<usize>,
}

/// One mapped column.
struct Column {
    index: usize,
    header: String,
    field: Field,
    /// Unit a bare number in this column is in ("万" for a header like 价格（万元）).
    unit: Option<&'static str>,
}

/// Position of a running harvest.
struct State {
    rows: RowSource,
    consumed: u64,
    pending: Option<Vec<String>>,
    finished: bool,
}

/// Rows as they are read.
enum RowSource {
    Csv(Box<csv::Reader<Box<dyn Read + Send>>>),
    Sheet { next: usize },
}

impl TabularConnector {
    /// Opens a CSV/TSV or XLSX/XLS/XLSB/ODS file (chosen by extension), finds its header row and
    /// checks that a title column exists; a missing file is `Io`, no title column is `Config`.
    pub fn open(path: &Path, mapping: Option<Mapping>) -> Result<Self, ConnectorError> {
        std::fs::metadata(path).map_err(|e| io_error(path, &e))?;
        let mapping = mapping.unwrap_or_default();
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let (format, layout) = match extension.as_str() {
            "csv" | "tsv" | "txt" => open_csv(path, &mapping, extension == "tsv")?,
            "xlsx" | "xlsm" | "xls" | "xlsb" | "ods" => open_sheet(path, &mapping)?,
            other => {
                return Err(ConnectorError::Config(format!(
                    "{} has extension {other:?}; tabular sources read .csv, .tsv, .txt, .xlsx, \
                     .xlsm, .xls, .xlsb and .ods",
                    path.display()
                )))
            }
        };
        Ok(Self {
            path: path.to_owned(),
            format,
            layout,
            defaults: mapping.defaults().to_vec(),
            state: None,
        })
    }

    /// The headers the file's columns were mapped from, with the field each fills (for previews
    /// and the import CLI's summary).
    pub fn mapped_columns(&self) -> Vec<(String, Field)> {
        self.layout
            .columns
            .iter()
            .map(|c| (c.header.clone(), c.field))
            .collect()
    }

    /// Positions the reader after the header and `skip` data rows.
    fn begin(&mut self, skip: u64) -> Result<(), ConnectorError> {
        let rows = match &self.format {
            Format::Csv {
                encoding,
                delimiter,
            } => {
                let mut reader = csv_reader(&self.path, encoding, *delimiter)?;
                let mut record = csv::StringRecord::new();
                for _ in 0..=self.layout.header_index {
                    read_csv_row(&mut reader, &mut record, &self.path)?;
                }
                RowSource::Csv(Box::new(reader))
            }
            Format::Sheet { .. } => RowSource::Sheet {
                next: self.layout.header_index + 1,
            },
        };
        let mut state = State {
            rows,
            consumed: 0,
            pending: None,
            finished: false,
        };
        while state.consumed < skip {
            if self.next_row(&mut state.rows)?.is_none() {
                state.finished = true;
                break;
            }
            state.consumed += 1;
        }
        self.state = Some(state);
        Ok(())
    }

    /// The next row's cells, `None` at the end of the file.
    fn next_row(&self, rows: &mut RowSource) -> Result<Option<Vec<String>>, ConnectorError> {
        match (rows, &self.format) {
            (RowSource::Csv(reader), _) => {
                let mut record = csv::StringRecord::new();
                Ok(read_csv_row(reader, &mut record, &self.path)?
                    .then(|| record.iter().map(str::to_owned).collect()))
            }
            (RowSource::Sheet { next }, Format::Sheet { range, .. }) => {
                let row = sheet_row(range, *next);
                *next += 1;
                Ok(row)
            }
            (RowSource::Sheet { .. }, Format::Csv { .. }) => Ok(None),
        }
    }
}

#[async_trait]
impl Connector for TabularConnector {
    fn kind(&self) -> &'static str {
        "tabular"
    }

    async fn start(&mut self, request: HarvestRequest) -> Result<(), ConnectorError> {
        let skip = match request.resume_from.as_deref() {
            None => 0,
            Some(s) => s.trim().parse::<u64>().map_err(|_| {
                ConnectorError::BadResumePoint(format!(
                    "{s:?} is not a row count; a tabular checkpoint is the number of rows read"
                ))
            })?,
        };
        self.begin(skip)
    }

    async fn next_page(&mut self) -> Result<Option<Page>, ConnectorError> {
        let mut state = match self.state.take() {
            Some(state) => state,
            None => {
                self.begin(0)?;
                self.state.take().ok_or_else(|| {
                    ConnectorError::Config("tabular reader did not start".to_owned())
                })?
            }
        };
        let result = self.fill_page(&mut state);
        self.state = Some(state);
        result
    }
}

impl TabularConnector {
    /// Reads up to [`PAGE_ROWS`] rows into a page, then peeks to know whether more follow.
    fn fill_page(&self, state: &mut State) -> Result<Option<Page>, ConnectorError> {
        if state.finished {
            return Ok(None);
        }
        let mut items = Vec::new();
        let mut rows_in_page = 0;
        while rows_in_page < PAGE_ROWS {
            let row = match state.pending.take() {
                Some(row) => Some(row),
                None => self.next_row(&mut state.rows)?,
            };
            let Some(row) = row else {
                state.finished = true;
                break;
            };
            let number = self.layout.first_data_row + state.consumed;
            state.consumed += 1;
            rows_in_page += 1;
            if let Some(item) = self.layout.map_row(&row, number, &self.defaults) {
                items.push(item);
            }
        }
        if rows_in_page == 0 {
            return Ok(None);
        }
        if !state.finished {
            match self.next_row(&mut state.rows)? {
                Some(row) => state.pending = Some(row),
                None => state.finished = true,
            }
        }
        let checkpoint = (!state.finished).then(|| state.consumed.to_string());
        Ok(Some(Page { items, checkpoint }))
    }
}

impl Layout {
    /// Finds the header among the first rows: the first row with a title column.
    fn find(
        rows: &[Vec<String>],
        mapping: &Mapping,
        first_row_number: u64,
    ) -> Result<Layout, Vec<String>> {
        for (index, headers) in rows.iter().enumerate().take(HEADER_SEARCH_ROWS) {
            if let Some(layout) = Self::from_headers(headers, mapping, index, first_row_number) {
                return Ok(layout);
            }
        }
        let found = rows
            .iter()
            .find(|r| r.iter().any(|c| !c.trim().is_empty()))
            .cloned()
            .unwrap_or_default();
        Err(found)
    }

    /// The layout when `headers` (row `index`) has a title column.
    fn from_headers(
        headers: &[String],
        mapping: &Mapping,
        index: usize,
        first_row_number: u64,
    ) -> Option<Layout> {
        let mut columns = Vec::new();
        for (i, header) in headers.iter().enumerate() {
            let header = header.trim().trim_start_matches('\u{FEFF}').trim();
            if header.is_empty() {
                continue;
            }
            let field = match mapping.column(header) {
                Some(field) => field,
                None => Field::from_header(header),
            };
            if let Some(field) = field {
                let unit = (field == Field::AskingPriceYuan)
                    .then(|| header_hint(header))
                    .flatten()
                    .and_then(|hint| {
                        if hint.contains('万') {
                            Some("万")
                        } else if hint.contains('亿') {
                            Some("亿")
                        } else {
                            None
                        }
                    });
                columns.push(Column {
                    index: i,
                    header: header.to_owned(),
                    field,
                    unit,
                });
            }
        }
        let title_header = columns
            .iter()
            .find(|c| c.field == Field::Title)?
            .header
            .clone();
        let id_column = columns
            .iter()
            .find(|c| c.field == Field::SourceRecordId)
            .map(|c| c.index);
        let header_index = u64::try_from(index).ok()?;
        Some(Layout {
            header_index: index,
            first_data_row: first_row_number + header_index + 1,
            columns,
            title_header,
            id_column,
        })
    }

    /// Maps one data row; `None` for a row with no content at all.
    fn map_row(&self, cells: &[String], number: u64, defaults: &[(Field, String)]) -> Option<Item> {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return None;
        }
        let id = self
            .id_column
            .and_then(|i| cells.get(i))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map_or_else(|| format!("row-{number}"), str::to_owned);
        let reject = |header: &str, reason: String| {
            Some(Item::Rejected(RecordError {
                record_id: Some(id.clone()),
                location: format!("row {number}, column {header}"),
                reason,
                raw: to_csv_line(cells),
            }))
        };
        let mut record = NormalisedRecord {
            origin: Some(format!("row {number}")),
            ..NormalisedRecord::default()
        };
        let mut seen: Vec<Field> = Vec::new();
        for column in &self.columns {
            let value = cells.get(column.index).map_or("", String::as_str).trim();
            if value.is_empty() {
                continue;
            }
            seen.push(column.field);
            let with_unit;
            let value = match column.unit {
                Some(unit) if is_bare_number(value) => {
                    with_unit = format!("{value}{unit}");
                    with_unit.as_str()
                }
                _ => value,
            };
            if let Err(e) = vocabulary::apply(&mut record, column.field, value) {
                return reject(&column.header, format!("{}: {e}", column.field.name()));
            }
        }
        for (field, value) in defaults {
            if !seen.contains(field) {
                if let Err(e) = vocabulary::apply(&mut record, *field, value) {
                    return reject("(default)", format!("{}: {e}", field.name()));
                }
            }
        }
        if record.title.is_empty() {
            return reject(&self.title_header, "title (成果名称) is empty".to_owned());
        }
        record.source_record_id = id;
        vocabulary::complete(&mut record);
        Some(Item::Record(Box::new(record)))
    }
}

/// Whether a cell is a plain number (so a unit from the header applies to it).
fn is_bare_number(value: &str) -> bool {
    let v = vocabulary::fold_width(value);
    !v.is_empty()
        && v.chars().any(|c| c.is_ascii_digit())
        && v.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}

/// Detects the CSV's encoding and delimiter and finds its header.
fn open_csv(path: &Path, mapping: &Mapping, tsv: bool) -> Result<(Format, Layout), ConnectorError> {
    let file = File::open(path).map_err(|e| io_error(path, &e))?;
    let encoding = decode::detect(BufReader::new(file)).map_err(|e| io_error(path, &e))?;
    let delimiters: &[u8] = if tsv { b"\t,;" } else { b",\t;" };
    let mut first_found = None;
    for &delimiter in delimiters {
        let mut reader = csv_reader(path, encoding, delimiter)?;
        let mut rows = Vec::new();
        let mut record = csv::StringRecord::new();
        while rows.len() < HEADER_SEARCH_ROWS && read_csv_row(&mut reader, &mut record, path)? {
            rows.push(record.iter().map(str::to_owned).collect::<Vec<_>>());
        }
        match Layout::find(&rows, mapping, 1) {
            Ok(layout) => {
                return Ok((
                    Format::Csv {
                        encoding,
                        delimiter,
                    },
                    layout,
                ))
            }
            Err(found) => {
                first_found.get_or_insert(found);
            }
        }
    }
    Err(no_title(path, &first_found.unwrap_or_default()))
}

/// Loads the mapping's sheet, or the first sheet with a recognisable header.
fn open_sheet(path: &Path, mapping: &Mapping) -> Result<(Format, Layout), ConnectorError> {
    let mut workbook = open_workbook_auto(path).map_err(|e| ConnectorError::Io {
        path: path.display().to_string(),
        message: format!("not a readable workbook: {e}"),
    })?;
    let names = workbook.sheet_names();
    let candidates: Vec<String> = match mapping.sheet() {
        Some(sheet) if names.iter().any(|n| n == sheet) => vec![sheet.to_owned()],
        Some(sheet) => {
            return Err(ConnectorError::Config(format!(
                "{} has no sheet {sheet:?}; its sheets are {}",
                path.display(),
                names.join(", ")
            )))
        }
        None => names,
    };
    let mut first_found = None;
    for name in candidates {
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| ConnectorError::Io {
                path: path.display().to_string(),
                message: format!("cannot read sheet {name:?}: {e}"),
            })?;
        let first_row = range.start().map_or(0, |(row, _)| row);
        let rows: Vec<Vec<String>> = (0..HEADER_SEARCH_ROWS)
            .map_while(|i| sheet_row(&range, i))
            .collect();
        match Layout::find(&rows, mapping, u64::from(first_row) + 1) {
            Ok(layout) => return Ok((Format::Sheet { range }, layout)),
            Err(found) => {
                first_found.get_or_insert(found);
            }
        }
    }
    Err(no_title(path, &first_found.unwrap_or_default()))
}

/// The `Config` error for a file without a title column, naming the headers it has.
fn no_title(path: &Path, found: &[String]) -> ConnectorError {
    let headers: Vec<&str> = found
        .iter()
        .map(|h| h.trim())
        .filter(|h| !h.is_empty())
        .collect();
    ConnectorError::Config(format!(
        "{} has no title column (成果名称, 项目名称, 名称 or title); headers found: {}. \
         Map one in a mapping file: [columns] \"列名\" = \"title\"",
        path.display(),
        if headers.is_empty() {
            "none".to_owned()
        } else {
            headers.join(", ")
        }
    ))
}

/// A CSV reader over the decoded file, without header handling (the layout finds the header).
fn csv_reader(
    path: &Path,
    encoding: &'static Encoding,
    delimiter: u8,
) -> Result<csv::Reader<Box<dyn Read + Send>>, ConnectorError> {
    let file = File::open(path).map_err(|e| io_error(path, &e))?;
    let decoded: Box<dyn Read + Send> =
        Box::new(decode::DecodingReader::new(BufReader::new(file), encoding));
    Ok(csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(decoded))
}

/// Reads one CSV record; `false` at the end of the file.
fn read_csv_row(
    reader: &mut csv::Reader<Box<dyn Read + Send>>,
    record: &mut csv::StringRecord,
    path: &Path,
) -> Result<bool, ConnectorError> {
    reader.read_record(record).map_err(|e| ConnectorError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Row `index` of a sheet range as text cells, `None` past the end.
fn sheet_row(range: &Range<Data>, index: usize) -> Option<Vec<String>> {
    let (height, width) = range.get_size();
    (index < height).then(|| {
        (0..width)
            .map(|col| range.get((index, col)).map_or_else(String::new, cell_text))
            .collect()
    })
}

/// A cell as the text a user sees: whole numbers without ".0", dates as `YYYY-MM-DD HH:MM:SS`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::DateTime(d) => d.as_datetime().map_or_else(
            || d.to_string(),
            |t| t.format("%Y-%m-%d %H:%M:%S").to_string(),
        ),
        other => other.to_string(),
    }
}

/// Cells re-serialised as one CSV line, the raw payload kept with a rejected row.
fn to_csv_line(cells: &[String]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let line = writer
        .write_record(cells)
        .ok()
        .and_then(|()| writer.into_inner().ok())
        .and_then(|bytes| String::from_utf8(bytes).ok());
    match line {
        Some(mut line) => {
            if line.ends_with('\n') {
                line.pop();
            }
            line
        }
        None => cells.join(","),
    }
}

/// An `Io` error for `path`.
fn io_error(path: &Path, e: &std::io::Error) -> ConnectorError {
    ConnectorError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn header_found_below_a_title_line() {
        let rows = vec![
            strings(&["内蒙古大学科技成果清单", "", ""]),
            strings(&["编号", "成果名称*", "意向价格（万元）"]),
        ];
        let layout = Layout::find(&rows, &Mapping::default(), 1).unwrap();
        assert_eq!(layout.header_index, 1);
        assert_eq!(layout.first_data_row, 3);
        assert_eq!(layout.title_header, "成果名称*");
        assert_eq!(layout.id_column, Some(0));
        assert_eq!(layout.columns[2].unit, Some("万"));
    }

    #[test]
    fn no_title_column_reports_the_first_non_empty_row() {
        let rows = vec![strings(&["", ""]), strings(&["名字", "价格"])];
        assert_eq!(
            Layout::find(&rows, &Mapping::default(), 1).err(),
            Some(strings(&["名字", "价格"]))
        );
    }

    #[test]
    fn rows_map_with_units_defaults_and_ids() {
        let headers = strings(&["编号", "成果名称", "意向价格（万元）", "成熟度", "类型"]);
        let mapping = Mapping::default()
            .with_default("type", "PATENT")
            .unwrap()
            .with_default("institutions", "内蒙古大学")
            .unwrap();
        let layout = Layout::from_headers(&headers, &mapping, 0, 1).unwrap();
        let defaults = mapping.defaults().to_vec();
        let item = layout
            .map_row(
                &strings(&["A-1", "催化剂", "50", "通过中试", ""]),
                2,
                &defaults,
            )
            .unwrap();
        let Item::Record(r) = item else {
            panic!("{item:?}")
        };
        assert_eq!(r.source_record_id, "A-1");
        assert_eq!(r.asking_price_yuan, Some(500_000));
        assert_eq!(r.trl, Some(6));
        assert_eq!(r.institutions, vec!["内蒙古大学"]);
        assert_eq!(
            r.achievement_type,
            Some(transferhub_schema::enums::AchievementType::Patent)
        );
        // A row's own value wins over the default.
        let item = layout
            .map_row(
                &strings(&["", "软件", "面议", "", "软件著作权"]),
                3,
                &defaults,
            )
            .unwrap();
        let Item::Record(r) = item else {
            panic!("{item:?}")
        };
        assert_eq!(r.source_record_id, "row-3");
        assert_eq!(r.asking_price_yuan, None);
        assert_eq!(
            r.achievement_type,
            Some(transferhub_schema::enums::AchievementType::SoftwareCopyright)
        );
        assert_eq!(
            layout.map_row(&strings(&["", " ", "", "", ""]), 4, &defaults),
            None
        );
    }

    #[test]
    fn rejected_rows_name_row_and_column_and_keep_the_row() {
        let headers = strings(&["成果名称", "成熟度"]);
        let layout = Layout::from_headers(&headers, &Mapping::default(), 0, 1).unwrap();
        let item = layout
            .map_row(&strings(&["催化剂, 高效", "TRL 12"]), 7, &[])
            .unwrap();
        let Item::Rejected(e) = item else {
            panic!("{item:?}")
        };
        assert_eq!(e.location, "row 7, column 成熟度");
        assert_eq!(e.record_id.as_deref(), Some("row-7"));
        assert!(e.reason.contains("trl"), "{}", e.reason);
        assert_eq!(e.raw, "\"催化剂, 高效\",TRL 12");
        let item = layout.map_row(&strings(&["", "6"]), 8, &[]).unwrap();
        let Item::Rejected(e) = item else {
            panic!("{item:?}")
        };
        assert_eq!(e.location, "row 8, column 成果名称");
    }

    #[test]
    fn bare_numbers() {
        assert!(is_bare_number("50"));
        assert!(is_bare_number("1,200.5"));
        assert!(is_bare_number("５０"));
        assert!(!is_bare_number("50万元"));
        assert!(!is_bare_number("面议"));
        assert!(!is_bare_number("."));
    }
}
