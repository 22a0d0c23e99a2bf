//! Commitments exported as CSV, JSON or NDJSON: one shape for
//! `GET /api/v1/exports/commitments` and `gef-commitments export`, written
//! a page at a time so that memory does not grow with the export.

use chrono::{DateTime, Utc};

use crate::app::commitments;
use crate::app::{AppResult, PageRequest};
use crate::db::Db;
use crate::db::commitments::{CommitmentFilter, CommitmentRecord};
use crate::domain::policy::Visibility;
use crate::wire::commitment::Commitment;

/// Rows read and written at a time.
pub const PAGE_ROWS: u32 = 500;

/// An export's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// RFC 4180: a header row, one row per commitment, lists as `list_cell`
    /// writes them.
    Csv,
    /// One JSON array of commitments, as `GET /commitments/{id}` shows them.
    Json,
    /// One commitment per line, as JSON.
    Ndjson,
}

impl Format {
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "csv" => Some(Self::Csv),
            "json" => Some(Self::Json),
            "ndjson" => Some(Self::Ndjson),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Json => "application/json",
            Self::Ndjson => "application/x-ndjson",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Json => "json",
            Self::Ndjson => "ndjson",
        }
    }
}

/// The columns of the CSV export, in order. Indicators are four parallel
/// lists (name, unit, baseline, target: the n-th item of each is the n-th
/// indicator; a missing baseline or target is an empty item), as the
/// workspace's forms send them.
pub const CSV_COLUMNS: [&str; 30] = [
    "id",
    "reference",
    "status",
    "coalition",
    "action_areas",
    "title",
    "description",
    "types",
    "pledge_amount",
    "pledge_currency",
    "pledge_usd",
    "countries",
    "regions",
    "start_year",
    "end_year",
    "partners",
    "target_groups",
    "indicator_names",
    "indicator_units",
    "indicator_baselines",
    "indicator_targets",
    "organization_id",
    "organization_name",
    "constituency",
    "organization_country",
    "reporting_health",
    "submitted_at",
    "approved_at",
    "created_at",
    "updated_at",
];

/// The file name an export is offered under: `commitments-2026-11-28.csv`.
pub fn file_name(format: Format, today: chrono::NaiveDate) -> String {
    format!("commitments-{today}.{}", format.extension())
}

/// What comes before the first page: the CSV header, JSON's `[`.
pub fn head(format: Format) -> Vec<u8> {
    match format {
        Format::Csv => csv_line(CSV_COLUMNS.iter().map(|c| (*c).to_owned())),
        Format::Json => b"[".to_vec(),
        Format::Ndjson => Vec::new(),
    }
}

/// What comes after the last page: JSON's `]`.
pub fn tail(format: Format) -> Vec<u8> {
    match format {
        Format::Json => b"]\n".to_vec(),
        Format::Csv | Format::Ndjson => Vec::new(),
    }
}

/// One page of commitments; `first` says whether any came before (JSON's commas).
pub fn page(format: Format, records: Vec<CommitmentRecord>, first: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, record) in records.into_iter().enumerate() {
        match format {
            Format::Csv => out.extend(csv_line(csv_row(record))),
            Format::Json => {
                if !(first && i == 0) {
                    out.push(b',');
                }
                out.extend(json(record));
            }
            Format::Ndjson => {
                out.extend(json(record));
                out.push(b'\n');
            }
        }
    }
    out
}

fn json(record: CommitmentRecord) -> Vec<u8> {
    // A commitment always serializes: its fields are strings, numbers and lists.
    serde_json::to_vec(&Commitment::from(record)).unwrap_or_default()
}

fn csv_line(cells: impl IntoIterator<Item = String>) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = writer.write_record(cells);
    writer.into_inner().unwrap_or_default()
}

/// Text a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab,
/// carriage return first) gets a leading `'`, as OWASP advises for CSV;
/// so does text that starts with `'` itself, so that a reader takes away
/// exactly one leading `'` from any cell that has one (`cell_text`).
fn text(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// What a cell written by `text` says.
pub fn cell_text(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// A list as one cell: items joined by `"; "`, each `\` and `;` inside an
/// item escaped with a `\`, then the cell defused as `text` does. So
/// "Ministry of Education; Youth and Sport" stays one partner
/// (`Ministry of Education\; Youth and Sport`), and `list_items` gives
/// back exactly the items written.
pub fn list_cell<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let escaped: Vec<String> = items
        .into_iter()
        .map(|item| item.replace('\\', "\\\\").replace(';', "\\;"))
        .collect();
    text(&escaped.join("; "))
}

/// The items of a cell written by `list_cell`: split at each `;` that is
/// not escaped, the one space after it dropped; an empty cell is no item.
pub fn list_items(cell: &str) -> Vec<String> {
    let cell = cell_text(cell);
    if cell.is_empty() {
        return Vec::new();
    }
    let mut items = vec![String::new()];
    let mut chars = cell.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(item)) = (chars.next(), items.last_mut()) {
                    item.push(next);
                }
            }
            ';' => {
                items.push(String::new());
                // The separator's space.
                let rest = chars.as_str();
                if let Some(after) = rest.strip_prefix(' ') {
                    chars = after.chars();
                }
            }
            c => {
                if let Some(item) = items.last_mut() {
                    item.push(c);
                }
            }
        }
    }
    items
}

/// A time as JSON answers spell it: RFC 3339 in UTC with `Z`.
fn time(value: Option<DateTime<Utc>>) -> String {
    value
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
        .unwrap_or_default()
}

fn csv_row(record: CommitmentRecord) -> Vec<String> {
    let c = Commitment::from(record);
    let number = |n: Option<f64>| n.map(|n| n.to_string()).unwrap_or_default();
    let numbers = |of: &dyn Fn(&crate::wire::commitment::Indicator) -> Option<f64>| {
        let items: Vec<String> = c.indicators.iter().map(|i| number(of(i))).collect();
        list_cell(items.iter().map(String::as_str))
    };
    let pledge = |part: &dyn Fn(&crate::wire::commitment::Money) -> Option<String>| {
        c.pledge.as_ref().and_then(part).unwrap_or_default()
    };
    vec![
        c.id.clone(),
        c.reference.clone(),
        c.status.as_str().to_owned(),
        c.coalition.clone(),
        list_cell(
            c.action_areas
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str),
        ),
        text(&c.title),
        text(&c.description),
        list_cell(c.types.iter().map(|t| t.as_str())),
        pledge(&|p| Some(p.amount.clone())),
        pledge(&|p| Some(p.currency.clone())),
        pledge(&|p| p.amount_usd.clone()),
        list_cell(c.countries.iter().map(String::as_str)),
        list_cell(c.regions.iter().map(String::as_str)),
        c.start_year.to_string(),
        c.end_year.to_string(),
        list_cell(c.partners.iter().map(String::as_str)),
        list_cell(c.target_groups.iter().map(String::as_str)),
        list_cell(c.indicators.iter().map(|i| i.name.as_str())),
        list_cell(c.indicators.iter().map(|i| i.unit.as_str())),
        numbers(&|i| i.baseline),
        numbers(&|i| i.target),
        c.organization.id.clone(),
        text(&c.organization.name),
        c.organization.constituency.as_str().to_owned(),
        c.organization.country.clone(),
        c.reporting_health
            .map(|h| h.as_str().to_owned())
            .unwrap_or_default(),
        time(c.submitted_at),
        time(c.approved_at),
        time(Some(c.created_at)),
        time(Some(c.updated_at)),
    ]
}

/// An export under way: what `visibility` sees matching `filter`, read and
/// written one page at a time.
pub struct Export {
    db: Db,
    today: chrono::NaiveDate,
    visibility: Visibility,
    filter: CommitmentFilter,
    format: Format,
    after: Option<String>,
    written: u64,
    started: bool,
    done: bool,
}

impl Export {
    pub fn new(
        db: Db,
        today: chrono::NaiveDate,
        visibility: Visibility,
        filter: CommitmentFilter,
        format: Format,
    ) -> Self {
        Self {
            db,
            today,
            visibility,
            filter,
            format,
            after: None,
            written: 0,
            started: false,
            done: false,
        }
    }

    /// The next chunk of the file and how many commitments it holds; the
    /// first chunk starts with the head, the last ends with the tail.
    /// `None` once everything was handed out.
    pub async fn next_chunk(&mut self) -> Option<AppResult<(Vec<u8>, usize)>> {
        if self.done {
            return None;
        }
        let page_request = PageRequest {
            limit: PAGE_ROWS,
            after: self.after.take(),
        };
        let listing = match commitments::list_visible(
            &self.db,
            self.today,
            self.visibility.clone(),
            self.filter.clone(),
            page_request,
        )
        .await
        {
            Ok(listing) => listing,
            Err(error) => {
                self.done = true;
                return Some(Err(error));
            }
        };
        let rows = listing.items.len();
        let mut chunk = if self.started {
            Vec::new()
        } else {
            head(self.format)
        };
        self.started = true;
        chunk.extend(page(self.format, listing.items, self.written == 0));
        self.written += rows as u64;
        match listing.next_after {
            Some(next) => self.after = Some(next),
            None => {
                chunk.extend(tail(self.format));
                self.done = true;
                tokio::task::spawn_blocking(crate::memory::hand_back);
            }
        }
        Some(Ok((chunk, rows)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_as_rfc_4180_says_and_defuses_formulas() {
        let line = csv_line([
            "plain".to_owned(),
            "a, b".to_owned(),
            "say \"hi\"".to_owned(),
            "two\nlines".to_owned(),
        ]);
        assert_eq!(
            String::from_utf8(line).unwrap(),
            "plain,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n"
        );
        assert_eq!(text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(text("-5% emissions"), "'-5% emissions");
        assert_eq!(text("Girls"), "Girls");
        assert_eq!(text("'Tis the season"), "''Tis the season");
    }

    #[test]
    fn list_cells_give_back_exactly_their_items() {
        for items in [
            vec![],
            vec!["Ministry of Education; Youth and Sport", "UNICEF"],
            vec!["back\\slash", "semi;colon;", ";", "\\", "\\;"],
            vec!["=SUM(A1)", "'quoted", " leading space", "trailing space "],
            vec!["", "empty first and last", ""],
            vec!["one"],
        ] {
            let cell = list_cell(items.iter().copied());
            let back = list_items(&cell);
            if items.iter().all(|i| i.is_empty()) && items.len() <= 1 {
                assert!(back.is_empty(), "{cell}");
            } else {
                assert_eq!(back, items, "{cell}");
            }
        }
        assert_eq!(
            list_cell(["Ministry of Education; Youth and Sport", "UNICEF"]),
            "Ministry of Education\\; Youth and Sport; UNICEF"
        );
        assert_eq!(list_cell(["=cmd", "x"]), "'=cmd; x");
    }
}
