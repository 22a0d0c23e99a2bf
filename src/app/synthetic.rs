//! `seed --synthetic N`: deterministic, realistic synthetic data at scale,
//! for benchmarks. Organizations of every constituency in many countries,
//! a maker for each and two accepted coalitions; commitments across every
//! coalition and action area in every state (most of them public), reports
//! over the five reporting cycles 2021–2025. Written straight to the tables
//! in large transactions (the use cases' per-row checks and events would
//! take hours at a million); the figures' counters are then rebuilt from
//! the rows, as start-up does, so every figure is what the rows say.
//!
//! The same `N` and `seed` give the same rows but for ids' random bits,
//! the accounts' password and the time stamps of the run; synthetic
//! commitments carry no review trail and write no events.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

use super::{AppError, AppResult};
use crate::db::bulk::{self, CommitmentInsert, Rows};
use crate::db::commitments::{
    CommitmentActionAreaRow, CommitmentCountryRow, CommitmentIndicatorRow, CommitmentPartnerRow,
    CommitmentRegionRow, CommitmentRow, CommitmentTargetGroupRow, CommitmentTypeRow,
    ReferenceCounterRow, count_all,
};
use crate::db::expressions::{ExpressionOfInterestActionAreaRow, ExpressionOfInterestRow};
use crate::db::organizations::OrganizationRow;
use crate::db::progress::{
    ProgressIndicatorActualRow, ProgressReportRow, ReportingCycleRow, insert_cycle, list_cycles,
};
use crate::db::users::{UserCoalitionRow, UserRow};
use crate::db::{Db, figures, reference};
use crate::domain::account::{Password, Role};
use crate::domain::commitment::{CommitmentStatus, CommitmentType, reference as reference_of};
use crate::domain::commitment_content::search_text;
use crate::domain::expression::ExpressionStatus;
use crate::domain::language::Language;
use crate::domain::organization::Constituency;
use crate::domain::progress::{ImplementationStatus, ValidationStatus};

/// Commitments written per transaction.
const BATCH: u64 = 5_000;

/// What to make.
#[derive(Debug, Clone)]
pub struct Options {
    pub count: u64,
    pub seed: u64,
    /// Add to a database that already holds commitments.
    pub append: bool,
}

/// What was made, and how to sign in as its accounts.
#[derive(Debug, Clone)]
pub struct Made {
    pub organizations: u64,
    pub commitments: u64,
    pub reports: u64,
    /// `maker{i}.s{seed}@synthetic.example.org`, i from 0.
    pub maker_email: String,
    pub lead_emails: Vec<String>,
    pub password: String,
    /// Time spent writing the rows, and then counting the figures.
    pub writing: std::time::Duration,
    pub counting: std::time::Duration,
}

/// A small, fast, deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    /// Stream `stream` of `seed`: its start is hashed, so that streams do
    /// not run into each other (as plain offsets along one sequence would).
    fn new(seed: u64, stream: u64) -> Self {
        Self(mix(mix(seed) ^ mix(stream ^ 0x5DEE_CE66_D1CE_4E5B)))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.below(len as u64)).unwrap_or(0)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }

    /// In [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1_u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// `k` distinct indices below `n`, ascending.
    fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut chosen: Vec<usize> = Vec::new();
        while chosen.len() < k.min(n) {
            let i = self.index(n);
            if !chosen.contains(&i) {
                chosen.push(i);
            }
        }
        chosen.sort_unstable();
        chosen
    }

    fn uuid(&mut self, at: NaiveDateTime) -> String {
        let millis = u64::try_from(at.and_utc().timestamp_millis()).unwrap_or(0);
        let random = [self.next().to_le_bytes(), self.next().to_le_bytes()].concat();
        let mut bytes = [0_u8; 10];
        bytes.copy_from_slice(&random[..10]);
        uuid::Builder::from_unix_timestamp_millis(millis, &bytes)
            .into_uuid()
            .to_string()
    }
}

/// SplitMix64's finaliser.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Where countries are drawn from: Asia-Pacific first, then the world.
const COUNTRIES: [&str; 48] = [
    "KH", "ID", "VN", "PH", "TH", "MY", "MM", "LA", "NP", "BD", "IN", "PK", "LK", "FJ", "PG", "SB",
    "WS", "TO", "MN", "TL", "CN", "JP", "KR", "AU", "NZ", "KE", "NG", "GH", "SN", "ZA", "ET", "RW",
    "UG", "TZ", "MX", "BR", "CO", "AR", "CL", "GT", "FR", "DE", "SE", "CA", "US", "GB", "EG", "JO",
];

/// Currencies and roughly their USD value (only to make amounts plausible).
const CURRENCIES: [(&str, f64); 12] = [
    ("USD", 1.0),
    ("EUR", 1.08),
    ("GBP", 1.27),
    ("JPY", 0.0067),
    ("KHR", 0.000_244),
    ("IDR", 0.000_063),
    ("INR", 0.012),
    ("KES", 0.0077),
    ("BRL", 0.2),
    ("MXN", 0.055),
    ("XOF", 0.0016),
    ("PHP", 0.018),
];

const REGIONS: [&str; 6] = [
    "Asia and the Pacific",
    "Africa",
    "Latin America and the Caribbean",
    "Arab States",
    "Europe and Central Asia",
    "Global",
];

const VERBS: [&str; 10] = [
    "Scale up",
    "Fund",
    "Expand",
    "Launch",
    "Strengthen",
    "Train leaders for",
    "Build",
    "Protect",
    "Open",
    "Sustain",
];
const THEMES: [&str; 14] = [
    "digital skills training",
    "survivor services",
    "childcare centres",
    "women-led cooperatives",
    "comprehensive sexuality education",
    "climate adaptation grants",
    "feminist movement funds",
    "women mediators networks",
    "STEM mentoring",
    "legal aid clinics",
    "online safety helplines",
    "land rights programmes",
    "social protection schemes",
    "gender data systems",
];
const AUDIENCES: [&str; 8] = [
    "for adolescent girls",
    "for young women",
    "for rural women",
    "for women entrepreneurs",
    "for women with disabilities",
    "for indigenous women",
    "for migrant women workers",
    "for women human rights defenders",
];
const PARTNERS: [&str; 8] = [
    "Ministry of Education",
    "UN Women",
    "UNFPA",
    "local women's organizations",
    "a national university",
    "the private sector",
    "youth networks",
    "municipal governments",
];
const GROUPS: [&str; 6] = [
    "Adolescent girls",
    "Young women",
    "Rural women",
    "Women entrepreneurs",
    "Women with disabilities",
    "Survivors of violence",
];
const ORGANIZATION_WORDS: [&str; 12] = [
    "Horizon", "Sisters", "Equal", "Rising", "Bridge", "Lotus", "Harbour", "Summit", "Open",
    "River", "Beacon", "Meridian",
];

/// Where a synthetic commitment ends up, with its weight in a hundred.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Draft,
    Submitted,
    ChangesRequested,
    Rejected,
    WithdrawnDraft,
    WithdrawnAfterApproval,
    Approved,
    CompletionClaimed,
    Completed,
}

const FATES: [(Fate, u64); 9] = [
    (Fate::Draft, 5),
    (Fate::Submitted, 4),
    (Fate::ChangesRequested, 3),
    (Fate::Rejected, 3),
    (Fate::WithdrawnDraft, 2),
    (Fate::WithdrawnAfterApproval, 2),
    (Fate::Approved, 66),
    (Fate::CompletionClaimed, 7),
    (Fate::Completed, 8),
];

impl Fate {
    fn draw(rng: &mut Rng) -> Self {
        let mut roll = rng.below(100);
        for (fate, weight) in FATES {
            if roll < weight {
                return fate;
            }
            roll -= weight;
        }
        Fate::Approved
    }

    fn status(self) -> CommitmentStatus {
        match self {
            Fate::Draft => CommitmentStatus::Draft,
            Fate::Submitted => CommitmentStatus::Submitted,
            Fate::ChangesRequested => CommitmentStatus::ChangesRequested,
            Fate::Rejected => CommitmentStatus::Rejected,
            Fate::WithdrawnDraft | Fate::WithdrawnAfterApproval => CommitmentStatus::Withdrawn,
            Fate::Approved => CommitmentStatus::Approved,
            Fate::CompletionClaimed => CommitmentStatus::CompletionClaimed,
            Fate::Completed => CommitmentStatus::Completed,
        }
    }

    fn approved(self) -> bool {
        matches!(
            self,
            Fate::WithdrawnAfterApproval
                | Fate::Approved
                | Fate::CompletionClaimed
                | Fate::Completed
        )
    }
}

/// A coalition as the generator needs it.
#[derive(Clone)]
struct Coalition {
    slug: String,
    prefix: String,
    areas: usize,
    /// Its implementation period: commitments start and end within it.
    period: (i32, i32),
}

/// Everything drawn once, shared by the batches.
struct World {
    seed: u64,
    count: u64,
    organizations: u64,
    coalitions: Vec<Coalition>,
    cycles: Vec<ReportingCycleRow>,
    first: NaiveDateTime,
    span_millis: i64,
    makers: Vec<String>,
    leads: Vec<String>,
    organization_ids: Vec<String>,
    organization_names: Vec<String>,
    today: NaiveDate,
}

/// Seeds `options.count` synthetic commitments; `progress` hears how many
/// commitments are written so far.
pub async fn seed(
    db: &Db,
    today: NaiveDate,
    options: Options,
    progress: Arc<dyn Fn(u64) + Send + Sync>,
) -> AppResult<Made> {
    let existing = db.run(|conn| Ok::<_, AppError>(count_all(conn)?)).await?;
    if existing > 0 && !options.append {
        return Err(AppError::conflict(
            "not_empty",
            format!(
                "the database already holds {existing} commitments: pass --append to add to them"
            ),
        ));
    }
    let password = super::demo::password();
    let hash =
        super::accounts::hash(Password::parse(&password).map_err(|e| AppError::Invalid(vec![e]))?)
            .await?;
    let mut world = prepare(db, today, &options).await?;
    let people = people(&mut world, &hash);
    db.write(move |conn| Ok::<_, AppError>(bulk::insert(conn, &people)?))
        .await?;
    let world = Arc::new(world);
    let counters = db
        .run(|conn| Ok::<_, AppError>(bulk::reference_counters(conn)?))
        .await?;
    let mut numbers: HashMap<(String, i32), i32> = counters
        .into_iter()
        .map(|c| ((c.coalition_slug, c.year), c.last_number))
        .collect();
    let mut reports = 0_u64;
    let mut start = 0_u64;
    let began = std::time::Instant::now();
    while start < options.count {
        let end = (start + BATCH).min(options.count);
        let rows = commitments(&world, start..end, &mut numbers);
        reports += rows.reports.len() as u64;
        // Its own writes note no change; one `*` at the end says them all.
        db.write(move |conn| {
            figures::set_bulk(conn, true)?;
            bulk::insert(conn, &rows)?;
            figures::set_bulk(conn, false)?;
            Ok::<_, AppError>(())
        })
        .await?;
        progress(end);
        start = end;
    }
    let counters: Vec<ReferenceCounterRow> = numbers
        .into_iter()
        .map(
            |((coalition_slug, year), last_number)| ReferenceCounterRow {
                coalition_slug,
                year,
                last_number,
            },
        )
        .collect();
    let writing = began.elapsed();
    let began = std::time::Instant::now();
    db.write(move |conn| {
        bulk::raise_reference_counters(conn, &counters)?;
        figures::bulk_loaded(conn)?;
        Ok::<_, AppError>(())
    })
    .await?;
    db.run(|conn| Ok::<_, AppError>(bulk::analyze(conn)?))
        .await?;
    let counting = began.elapsed();
    Ok(Made {
        organizations: world.organizations,
        commitments: options.count,
        reports,
        maker_email: format!("maker{{i}}.s{}@synthetic.example.org", world.seed),
        lead_emails: world.leads_emails(),
        password,
        writing,
        counting,
    })
}

impl World {
    fn leads_emails(&self) -> Vec<String> {
        self.coalitions
            .iter()
            .map(|c| lead_email(&c.slug, self.seed))
            .collect()
    }
}

fn lead_email(slug: &str, seed: u64) -> String {
    format!("lead.{slug}.s{seed}@synthetic.example.org")
}

/// Reads the coalitions and cycles, opening the cycles 2021–2025 that are missing.
async fn prepare(db: &Db, today: NaiveDate, options: &Options) -> AppResult<World> {
    let now = now();
    let (coalitions, cycles) = db
        .write(move |conn| {
            let coalitions: Vec<Coalition> = reference::load_coalitions(conn, None, Language::En)?
                .into_iter()
                .map(|c| Coalition {
                    slug: c.row.slug.clone(),
                    prefix: c.row.reference_prefix.clone(),
                    areas: c.action_areas.len().max(1),
                    period: (c.row.period_start_year, c.row.period_end_year),
                })
                .collect();
            let known: Vec<i32> = list_cycles(conn)?.iter().map(|c| c.year).collect();
            for year in 2021..=2025 {
                let opens_on = date(year + 1, 1, 15);
                if !known.contains(&year) && opens_on <= today {
                    insert_cycle(
                        conn,
                        &ReportingCycleRow {
                            year,
                            opens_on,
                            closes_on: date(year + 1, 3, 31),
                            version: 1,
                            created_at: now,
                            updated_at: now,
                        },
                    )?;
                }
            }
            Ok::<_, AppError>((coalitions, list_cycles(conn)?))
        })
        .await?;
    let organizations = (options.count / 50).max(20);
    let first = date(2021, 2, 1).and_hms_opt(9, 0, 0).unwrap_or_default();
    let last = (today - Duration::days(60))
        .and_hms_opt(9, 0, 0)
        .unwrap_or_default()
        .max(first + Duration::days(1));
    Ok(World {
        seed: options.seed,
        count: options.count.max(1),
        organizations,
        coalitions,
        cycles,
        first,
        span_millis: (last - first).num_milliseconds(),
        makers: Vec::new(),
        leads: Vec::new(),
        organization_ids: Vec::new(),
        organization_names: Vec::new(),
        today,
    })
}

/// The organizations, their makers and accepted expressions, and a lead per coalition.
fn people(world: &mut World, hash: &str) -> Rows {
    let mut rows = Rows::default();
    let at = world.first - Duration::days(30);
    let mut rng = Rng::new(world.seed, u64::MAX);
    for coalition in &world.coalitions {
        let id = rng.uuid(at);
        rows.users.push(UserRow {
            id: id.clone(),
            email: lead_email(&coalition.slug, world.seed),
            display_name: format!("Lead of {}", coalition.slug),
            password_hash: hash.to_owned(),
            role: Role::CoalitionLead,
            organization_id: None,
            active: true,
            tokens_valid_after: at,
            version: 1,
            created_at: at,
            updated_at: at,
        });
        rows.user_coalitions.push(UserCoalitionRow {
            user_id: id.clone(),
            coalition_slug: coalition.slug.clone(),
        });
        world.leads.push(id);
    }
    for i in 0..world.organizations {
        let mut rng = Rng::new(world.seed, u64::MAX - 1 - i);
        let id = rng.uuid(at);
        let constituency =
            Constituency::ALL[usize::try_from(i).unwrap_or(0) % Constituency::ALL.len()];
        let name = format!(
            "{} {} {} {}",
            rng.pick(&ORGANIZATION_WORDS),
            rng.pick(&["Women's", "Girls'", "Feminist", "Equality"]),
            rng.pick(&[
                "Network",
                "Fund",
                "Alliance",
                "Collective",
                "Institute",
                "Foundation"
            ]),
            i + 1
        );
        rows.organizations.push(OrganizationRow {
            id: id.clone(),
            name: name.clone(),
            constituency,
            country: (*rng.pick(&COUNTRIES)).to_owned(),
            un_region: None,
            website: None,
            version: 1,
            created_at: at,
            updated_at: at,
        });
        let maker = rng.uuid(at);
        let email = format!("maker{i}.s{}@synthetic.example.org", world.seed);
        rows.users.push(UserRow {
            id: maker.clone(),
            email: email.clone(),
            display_name: format!("Maker {}", i + 1),
            password_hash: hash.to_owned(),
            role: Role::Maker,
            organization_id: Some(id.clone()),
            active: true,
            tokens_valid_after: at,
            version: 1,
            created_at: at,
            updated_at: at,
        });
        for c in organization_coalitions(world, i) {
            let expression = rng.uuid(at);
            let coalition = &world.coalitions[c];
            rows.expressions.push(ExpressionOfInterestRow {
                id: expression.clone(),
                organization_id: id.clone(),
                coalition_slug: coalition.slug.clone(),
                status: ExpressionStatus::Accepted,
                motivation: format!("{name} works for gender equality."),
                contact_email: email.clone(),
                decision_note: None,
                decided_by: Some(world.leads[c].clone()),
                decided_at: Some(at + Duration::days(7)),
                created_by: maker.clone(),
                version: 2,
                created_at: at,
                updated_at: at + Duration::days(7),
            });
            rows.expression_areas
                .push(ExpressionOfInterestActionAreaRow {
                    expression_of_interest_id: expression,
                    coalition_slug: coalition.slug.clone(),
                    number: 1,
                });
        }
        world.makers.push(maker);
        world.organization_ids.push(id);
        world.organization_names.push(name);
    }
    rows
}

/// The two coalitions organization `i` was accepted into.
fn organization_coalitions(world: &World, i: u64) -> [usize; 2] {
    let n = world.coalitions.len().max(1);
    let first = usize::try_from(i).unwrap_or(0) % n;
    [first, (first + 3) % n]
}

/// Commitments `range` with their lists and reports.
fn commitments(
    world: &World,
    range: std::ops::Range<u64>,
    numbers: &mut HashMap<(String, i32), i32>,
) -> Rows {
    let mut rows = Rows::default();
    for i in range {
        one(world, i, numbers, &mut rows);
    }
    rows
}

#[allow(clippy::too_many_lines)]
fn one(world: &World, i: u64, numbers: &mut HashMap<(String, i32), i32>, rows: &mut Rows) {
    let mut rng = Rng::new(world.seed, i);
    let org = rng.below(world.organizations);
    let org_index = usize::try_from(org).unwrap_or(0);
    let coalition_index = *rng.pick(&organization_coalitions(world, org));
    let coalition = &world.coalitions[coalition_index];
    let fate = Fate::draw(&mut rng);
    let step = world.span_millis / i64::try_from(world.count).unwrap_or(1).max(1);
    let offset = i64::try_from(i).unwrap_or(0) * step
        + i64::try_from(rng.below(u64::try_from(step.max(1)).unwrap_or(1))).unwrap_or(0);
    let created = world.first + Duration::milliseconds(offset);
    let id = rng.uuid(created);
    let key = (coalition.slug.clone(), created.year());
    let number = numbers.entry(key.clone()).or_insert(0);
    *number += 1;
    let (first_year, last_year) = coalition.period;
    let years = u64::try_from(last_year - first_year + 1).unwrap_or(1);
    let start_year = first_year + i32::try_from(rng.below(years)).unwrap_or(0);
    let end_year = (start_year + 1 + i32::try_from(rng.below(4)).unwrap_or(0)).min(last_year);
    let country = *rng.pick(&COUNTRIES);
    let title = format!(
        "{} {} {} in {}",
        rng.pick(&VERBS),
        rng.pick(&THEMES),
        rng.pick(&AUDIENCES),
        crate::domain::labels::country(country, Language::En).unwrap_or(country)
    );
    let partner = *rng.pick(&PARTNERS);
    let description = format!(
        "{} commits to this from {start_year} to {end_year}, working with {partner}. \
         Progress is reported every year against the indicator below.",
        world.organization_names[org_index]
    );
    let pledge = rng.chance(0.75).then(|| {
        let (currency, rate) = *rng.pick(&CURRENCIES);
        let usd = (10_f64.powf(4.0 + rng.unit() * 3.5) / 100.0).round() * 100.0;
        let amount = (usd / rate * 100.0).round() as i64;
        (amount, currency, (usd * 100.0) as i64)
    });
    let submitted =
        (!matches!(fate, Fate::Draft | Fate::WithdrawnDraft)).then(|| created + Duration::days(2));
    let approved = fate.approved().then(|| created + Duration::days(30));
    let moves = match fate {
        Fate::Draft => 0,
        Fate::Submitted | Fate::WithdrawnDraft => 1,
        Fate::ChangesRequested | Fate::Rejected | Fate::Approved => 2,
        Fate::WithdrawnAfterApproval | Fate::CompletionClaimed => 3,
        Fate::Completed => 4,
    };
    let row = CommitmentRow {
        id: id.clone(),
        reference: reference_of(&coalition.prefix, key.1, *number),
        organization_id: world.organization_ids[org_index].clone(),
        coalition_slug: coalition.slug.clone(),
        status: fate.status(),
        title: title.clone(),
        description: description.clone(),
        pledge_amount_minor: pledge.map(|p| p.0),
        pledge_currency: pledge.map(|p| p.1.to_owned()),
        pledge_usd_minor: pledge.map(|p| p.2),
        start_year,
        end_year,
        version: 1 + moves,
        created_by: world.makers[org_index].clone(),
        submitted_at: submitted,
        approved_at: approved,
        created_at: created,
        updated_at: approved.or(submitted).unwrap_or(created),
    };
    rows.commitments.push(CommitmentInsert {
        search_text: Some(search_text(&title, &description)),
        row,
    });
    let how_many = 1 + rng.index(2);
    for number in rng.distinct(coalition.areas, how_many) {
        rows.action_areas.push(CommitmentActionAreaRow {
            commitment_id: id.clone(),
            coalition_slug: coalition.slug.clone(),
            number: i32::try_from(number).unwrap_or(0) + 1,
        });
    }
    let how_many = 1 + rng.index(2);
    for t in rng.distinct(CommitmentType::ALL.len(), how_many) {
        rows.types.push(CommitmentTypeRow {
            commitment_id: id.clone(),
            commitment_type: CommitmentType::ALL[t],
        });
    }
    let mut countries = vec![country];
    for _ in 0..rng.index(3) {
        let other = *rng.pick(&COUNTRIES);
        if !countries.contains(&other) {
            countries.push(other);
        }
    }
    countries.sort_unstable();
    for country in countries {
        rows.countries.push(CommitmentCountryRow {
            commitment_id: id.clone(),
            country: country.to_owned(),
        });
    }
    rows.partners.push(CommitmentPartnerRow {
        commitment_id: id.clone(),
        position: 0,
        name: partner.to_owned(),
    });
    rows.target_groups.push(CommitmentTargetGroupRow {
        commitment_id: id.clone(),
        position: 0,
        name: (*rng.pick(&GROUPS)).to_owned(),
    });
    // Two in five name a region too, drawn apart from everything else so
    // that the rest of a seed's data stays what it was.
    let mut regional = Rng::new(world.seed ^ 0x7265_6769_6f6e, i);
    if regional.chance(0.4) {
        rows.regions.push(CommitmentRegionRow {
            commitment_id: id.clone(),
            region: (*regional.pick(&REGIONS)).to_owned(),
        });
    }
    let target = (100 + rng.below(100_000)) as f64;
    rows.indicators.push(CommitmentIndicatorRow {
        commitment_id: id.clone(),
        position: 0,
        name: "People reached".to_owned(),
        unit: "people".to_owned(),
        baseline: Some(0.0),
        target: Some(target),
    });
    if fate.approved() {
        reports(
            world,
            &mut rng,
            fate,
            (&id, start_year, end_year, pledge.map(|p| p.2), target),
            coalition_index,
            org_index,
            rows,
        );
    }
}

/// Yearly reports of an approved commitment, on the cycles open by today.
#[allow(clippy::too_many_arguments)]
fn reports(
    world: &World,
    rng: &mut Rng,
    fate: Fate,
    (id, start, end, pledged, target): (&str, i32, i32, Option<i64>, f64),
    coalition: usize,
    org: usize,
    rows: &mut Rows,
) {
    let years: Vec<i32> = world
        .cycles
        .iter()
        .filter(|c| c.year >= start && c.year <= end && c.opens_on <= world.today)
        .map(|c| c.year)
        .collect();
    let Some(&last) = years.last() else {
        return;
    };
    let claims = matches!(fate, Fate::CompletionClaimed | Fate::Completed);
    let span = (end - start + 1).max(1) as f64;
    for year in years {
        let final_year = year == last;
        if !claims && !rng.chance(0.85) {
            continue;
        }
        let share = f64::from(year - start + 1) / span;
        let (status, percent) = if claims && final_year {
            (ImplementationStatus::Completed, 100)
        } else if fate == Fate::WithdrawnAfterApproval && final_year {
            (ImplementationStatus::Cancelled, (share * 60.0) as i32)
        } else if year == start && rng.chance(0.1) {
            (ImplementationStatus::NotStarted, 0)
        } else if rng.chance(0.06) {
            (ImplementationStatus::Stalled, (share * 50.0) as i32)
        } else {
            (
                ImplementationStatus::InProgress,
                ((share * 90.0) + rng.unit() * 8.0).min(99.0) as i32,
            )
        };
        let filed = date(year + 1, 2, 1)
            .and_hms_opt(10, 0, 0)
            .unwrap_or_default()
            + Duration::minutes(i64::try_from(rng.below(40_000)).unwrap_or(0));
        let report = rng.uuid(filed);
        let disbursed = pledged.map(|usd| ((usd as f64 / span) * (0.5 + rng.unit() * 0.6)) as i64);
        let validation = match rng.below(100) {
            0..=69 => ValidationStatus::Validated,
            70..=91 => ValidationStatus::Pending,
            _ => ValidationStatus::Queried,
        };
        let checked = validation != ValidationStatus::Pending;
        rows.reports.push(ProgressReportRow {
            id: report.clone(),
            commitment_id: id.to_owned(),
            year,
            status,
            percent_complete: percent,
            disbursed_amount_minor: disbursed,
            disbursed_currency: disbursed.map(|_| "USD".to_owned()),
            disbursed_usd_minor: disbursed,
            people_reached: rng
                .chance(0.6)
                .then(|| (target * f64::from(percent) / 100.0) as i64),
            narrative: format!("{year}: {percent}% done; the work goes on with our partners."),
            validation_status: validation,
            validation_note: (validation == ValidationStatus::Queried)
                .then(|| "Please explain the change in the figures.".to_owned()),
            validated_by: checked.then(|| world.leads[coalition].clone()),
            validated_at: checked.then(|| filed + Duration::days(20)),
            version: if checked { 2 } else { 1 },
            created_by: world.makers[org].clone(),
            created_at: filed,
            updated_at: if checked {
                filed + Duration::days(20)
            } else {
                filed
            },
        });
        rows.actuals.push(ProgressIndicatorActualRow {
            progress_report_id: report,
            indicator_name: "People reached".to_owned(),
            actual: (target * f64::from(percent) / 100.0).round(),
        });
    }
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_do_not_run_into_each_other() {
        let at = date(2021, 1, 1).and_hms_opt(0, 0, 0).unwrap_or_default();
        let mut seen = std::collections::HashSet::new();
        for stream in (0..200).chain(u64::MAX - 200..=u64::MAX) {
            let mut rng = Rng::new(1, stream);
            for _ in 0..50 {
                assert!(seen.insert(rng.uuid(at)), "stream {stream} repeats an id");
            }
        }
    }

    #[test]
    fn the_same_seed_draws_the_same_numbers() {
        let draw = |seed| {
            let mut rng = Rng::new(seed, 7);
            (0..10).map(|_| rng.below(1000)).collect::<Vec<_>>()
        };
        assert_eq!(draw(1), draw(1));
        assert_ne!(draw(1), draw(2));
    }
}
