//! `seed --demo`: a realistic demo world, built through the same use cases
//! as the API (so that every figure, event and counter is what real use
//! would give): organizations of every constituency across Asia-Pacific and
//! beyond, expressions of interest decided, commitments in every coalition
//! and every Technology and Innovation action area, in several currencies,
//! reviewed to every state, with five reporting cycles and reports of every
//! status and reporting health. Deterministic, but for the accounts'
//! passwords, drawn at random and printed once.

use chrono::NaiveDate;

use super::accounts::create_account;
use super::commitments::{self, MoveRequest, NewCommitment};
use super::expressions::{self, Decision, DecisionRequest, NewExpression};
use super::idempotency::{Kept, KeptForm};
use super::progress::{self, NewCycle, ValidationRequest};
use super::{AppError, AppResult, Precondition};
use crate::db::Db;
use crate::db::organizations::OrganizationRow;
use crate::domain::account::{NewAccount, Role};
use crate::domain::commitment::Move;
use crate::domain::commitment_content::{ContentFields, IndicatorFields, PledgeFields};
use crate::domain::country::CountryCode;
use crate::domain::expression::ExpressionFields;
use crate::domain::organization::{Constituency, OrganizationName, Profile, UnRegion, Website};
use crate::domain::policy::Actor;
use crate::domain::progress::{ReportFields, ValidationDecision};

/// An account made for the demo, with the password to sign in with.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub email: String,
    pub role: Role,
    pub password: String,
    pub note: String,
}

struct Org {
    name: &'static str,
    constituency: Constituency,
    country: &'static str,
    region: UnRegion,
    email: &'static str,
    /// Coalitions it asks to join; the first is accepted unless `declined`/`pending`.
    coalitions: &'static [&'static str],
}

const ORGS: [Org; 16] = [
    Org {
        name: "Digital Sisters Cambodia",
        constituency: Constituency::YouthLed,
        country: "KH",
        region: UnRegion::AsiaPacific,
        email: "sokha@digitalsisters.demo",
        coalitions: &["technology-innovation"],
    },
    Org {
        name: "Ministry of Women's Affairs, Cambodia",
        constituency: Constituency::Government,
        country: "KH",
        region: UnRegion::AsiaPacific,
        email: "mowa@gov-kh.demo",
        coalitions: &["gender-based-violence", "technology-innovation"],
    },
    Org {
        name: "Phnom Penh Capital Hall",
        constituency: Constituency::LocalGovernment,
        country: "KH",
        region: UnRegion::AsiaPacific,
        email: "gender@phnompenh.demo",
        coalitions: &["economic-justice-rights"],
    },
    Org {
        name: "Yayasan Perempuan Digital",
        constituency: Constituency::WomensRightsOrg,
        country: "ID",
        region: UnRegion::AsiaPacific,
        email: "ratna@perempuandigital.demo",
        coalitions: &["technology-innovation", "feminist-movements-leadership"],
    },
    Org {
        name: "Mekong Women Entrepreneurs Network",
        constituency: Constituency::CivilSociety,
        country: "VN",
        region: UnRegion::AsiaPacific,
        email: "lan@mekongwomen.demo",
        coalitions: &["economic-justice-rights"],
    },
    Org {
        name: "Pacific Feminist Fund",
        constituency: Constituency::Philanthropy,
        country: "FJ",
        region: UnRegion::AsiaPacific,
        email: "grants@pacificfeminist.demo",
        coalitions: &["feminist-movements-leadership", "climate-justice"],
    },
    Org {
        name: "TechBridge Asia",
        constituency: Constituency::PrivateSector,
        country: "SG",
        region: UnRegion::AsiaPacific,
        email: "csr@techbridge.demo",
        coalitions: &["technology-innovation", "gender-based-violence"],
    },
    Org {
        name: "UN Women Asia and the Pacific",
        constituency: Constituency::UnEntity,
        country: "TH",
        region: UnRegion::AsiaPacific,
        email: "roap@unwomen.demo",
        coalitions: &["women-peace-security-humanitarian", "gender-based-violence"],
    },
    Org {
        name: "Asian Development Partners",
        constituency: Constituency::Multilateral,
        country: "PH",
        region: UnRegion::AsiaPacific,
        email: "gender@adpartners.demo",
        coalitions: &["economic-justice-rights", "climate-justice"],
    },
    Org {
        name: "Institute for Gender and Technology, Jakarta",
        constituency: Constituency::Academia,
        country: "ID",
        region: UnRegion::AsiaPacific,
        email: "research@igt-jakarta.demo",
        coalitions: &["technology-innovation"],
    },
    Org {
        name: "Himalayan Girls Collective",
        constituency: Constituency::Other,
        country: "NP",
        region: UnRegion::AsiaPacific,
        email: "hello@himalayangirls.demo",
        coalitions: &[
            "bodily-autonomy-srhr",
            "feminist-movements-leadership",
            "climate-justice",
        ],
    },
    Org {
        name: "Ministère de l'Europe et des Affaires étrangères",
        constituency: Constituency::Government,
        country: "FR",
        region: UnRegion::EuropeCentralAsia,
        email: "egalite@diplomatie.demo",
        coalitions: &["bodily-autonomy-srhr", "women-peace-security-humanitarian"],
    },
    Org {
        name: "Instituto de las Mujeres de la Ciudad de México",
        constituency: Constituency::LocalGovernment,
        country: "MX",
        region: UnRegion::AmericasCaribbean,
        email: "semujeres@cdmx.demo",
        coalitions: &["gender-based-violence"],
    },
    Org {
        name: "Wanjiku Feminist Futures",
        constituency: Constituency::WomensRightsOrg,
        country: "KE",
        region: UnRegion::Africa,
        email: "wanjiku@feministfutures.demo",
        coalitions: &["climate-justice", "bodily-autonomy-srhr"],
    },
    Org {
        name: "Rede de Meninas na Ciência",
        constituency: Constituency::YouthLed,
        country: "BR",
        region: UnRegion::AmericasCaribbean,
        email: "ola@meninasnaciencia.demo",
        coalitions: &["technology-innovation"],
    },
    Org {
        name: "Sahel Women Climate Action",
        constituency: Constituency::CivilSociety,
        country: "SN",
        region: UnRegion::Africa,
        email: "contact@sahelwomen.demo",
        coalitions: &["climate-justice"],
    },
];

/// Leads: each coalition's, for the demo's decisions and reviews.
const LEADS: [(&str, &[&str]); 4] = [
    ("lead.technology@unwomen.demo", &["technology-innovation"]),
    (
        "lead.violence-economy@unwomen.demo",
        &["gender-based-violence", "economic-justice-rights"],
    ),
    (
        "lead.climate-srhr@unwomen.demo",
        &["climate-justice", "bodily-autonomy-srhr"],
    ),
    (
        "lead.movements-peace@unwomen.demo",
        &[
            "feminist-movements-leadership",
            "women-peace-security-humanitarian",
        ],
    ),
];

/// Where a demo commitment ends up.
#[derive(Clone, Copy)]
enum Fate {
    Draft,
    Submitted,
    ChangesRequested,
    Rejected,
    WithdrawnDraft,
    /// Approved, reporting on the years listed (year, status, percent,
    /// disbursed USD, people reached, what the lead decided).
    Approved(&'static [Report]),
    /// Approved, reported, then withdrawn.
    WithdrawnAfterApproval(&'static [Report]),
    /// Reported, the last report saying completed; verified or not.
    Completed(&'static [Report], bool),
}

/// A demo progress report.
#[derive(Clone, Copy)]
struct Report(i32, &'static str, i32, u32, i64, Check);

/// What a lead made of a report.
#[derive(Clone, Copy)]
enum Check {
    Pending,
    Validated,
    Queried,
}

use Check::{Pending, Queried, Validated};

struct Demo {
    org: usize,
    coalition: &'static str,
    areas: &'static [i32],
    title: &'static str,
    description: &'static str,
    types: &'static [&'static str],
    /// Amount, currency, USD equivalent.
    pledge: Option<(&'static str, &'static str, &'static str)>,
    countries: &'static [&'static str],
    years: (i32, i32),
    indicator: (&'static str, &'static str, f64),
    fate: Fate,
}

const TI: &str = "technology-innovation";
const GBV: &str = "gender-based-violence";
const EJR: &str = "economic-justice-rights";
const BA: &str = "bodily-autonomy-srhr";
const CJ: &str = "climate-justice";
const FML: &str = "feminist-movements-leadership";
const WPS: &str = "women-peace-security-humanitarian";

const COMMITMENTS: [Demo; 32] = [
    Demo {
        org: 0,
        coalition: TI,
        areas: &[1],
        title: "Coding clubs for 10,000 girls in rural Cambodia",
        description: "Weekly coding clubs in 40 secondary schools across six provinces, run with local women engineers as mentors.",
        types: &["programmatic", "financial"],
        pledge: Some(("250000.00", "EUR", "270000.00")),
        countries: &["KH"],
        years: (2021, 2025),
        indicator: ("Girls trained in coding", "girls", 10000.0),
        fate: Fate::Approved(&[
            Report(2021, "in_progress", 15, 40000, 1500, Validated),
            Report(2022, "in_progress", 35, 60000, 3800, Validated),
            Report(2023, "in_progress", 55, 55000, 6100, Validated),
            Report(2024, "in_progress", 75, 70000, 8200, Validated),
            Report(2025, "in_progress", 90, 30000, 9400, Pending),
        ]),
    },
    Demo {
        org: 1,
        coalition: TI,
        areas: &[1, 4],
        title: "National digital literacy strategy for women and girls",
        description: "A national strategy, with a budget line, to close the gender gap in digital skills and to protect women online.",
        types: &["policy", "financial"],
        pledge: Some(("8000000000.00", "KHR", "1950000.00")),
        countries: &["KH"],
        years: (2022, 2025),
        indicator: ("Provinces running the programme", "provinces", 25.0),
        fate: Fate::Approved(&[
            Report(2022, "in_progress", 20, 300000, 0, Validated),
            Report(2023, "in_progress", 40, 450000, 0, Validated),
            Report(2024, "stalled", 45, 120000, 0, Queried),
        ]),
    },
    Demo {
        org: 1,
        coalition: GBV,
        areas: &[1, 3],
        title: "One-stop service centres for survivors in every province",
        description: "Survivor-centred one-stop centres with health, legal and psychosocial services, and a national hotline.",
        types: &["programmatic", "policy"],
        pledge: None,
        countries: &["KH"],
        years: (2021, 2025),
        indicator: ("Centres open", "centres", 25.0),
        fate: Fate::Approved(&[
            Report(2021, "in_progress", 10, 0, 800, Validated),
            Report(2022, "in_progress", 30, 0, 2600, Validated),
            Report(2023, "in_progress", 52, 0, 5100, Pending),
        ]),
    },
    Demo {
        org: 2,
        coalition: EJR,
        areas: &[1],
        title: "Public childcare in twelve Phnom Penh districts",
        description: "Affordable community childcare so that mothers working in markets and garment factories keep their jobs.",
        types: &["programmatic", "financial"],
        pledge: Some(("2400000000.00", "KHR", "585000.00")),
        countries: &["KH"],
        years: (2022, 2025),
        indicator: ("Childcare places", "places", 3000.0),
        fate: Fate::Completed(
            &[
                Report(2022, "in_progress", 30, 150000, 900, Validated),
                Report(2023, "in_progress", 60, 200000, 1900, Validated),
                Report(2024, "in_progress", 85, 150000, 2600, Validated),
                Report(2025, "completed", 100, 85000, 3100, Validated),
            ],
            true,
        ),
    },
    Demo {
        org: 3,
        coalition: TI,
        areas: &[4],
        title: "Helpline and legal aid for women facing online abuse",
        description: "A helpline, a takedown desk with platforms and pro bono lawyers for women and girls abused online in Indonesia.",
        types: &["programmatic"],
        pledge: Some(("4500000000.00", "IDR", "285000.00")),
        countries: &["ID"],
        years: (2021, 2025),
        indicator: ("Cases supported", "cases", 12000.0),
        fate: Fate::Approved(&[
            Report(2021, "in_progress", 20, 40000, 1700, Validated),
            Report(2022, "in_progress", 45, 60000, 4300, Validated),
            Report(2023, "in_progress", 60, 50000, 6900, Validated),
            Report(2024, "in_progress", 80, 70000, 9800, Validated),
            Report(2025, "in_progress", 95, 50000, 11600, Queried),
        ]),
    },
    Demo {
        org: 3,
        coalition: FML,
        areas: &[1],
        title: "Core funding for 60 grassroots feminist groups",
        description: "Three-year flexible core grants for young feminist groups across the Indonesian archipelago.",
        types: &["financial"],
        pledge: Some(("6000000000.00", "IDR", "380000.00")),
        countries: &["ID"],
        years: (2022, 2024),
        indicator: ("Groups funded", "groups", 60.0),
        fate: Fate::Completed(
            &[
                Report(2022, "in_progress", 40, 120000, 0, Validated),
                Report(2023, "in_progress", 75, 150000, 0, Validated),
                Report(2024, "completed", 100, 110000, 0, Pending),
            ],
            false,
        ),
    },
    Demo {
        org: 4,
        coalition: EJR,
        areas: &[3],
        title: "Credit and land titles for 5,000 women farmers",
        description: "Joint land titling and a revolving credit fund for women farmers and traders in the Mekong delta.",
        types: &["financial", "programmatic"],
        pledge: Some(("11500000000.00", "VND", "470000.00")),
        countries: &["VN", "KH", "LA"],
        years: (2021, 2025),
        indicator: ("Women with joint titles", "women", 5000.0),
        fate: Fate::Approved(&[
            Report(2021, "not_started", 0, 0, 0, Validated),
            Report(2022, "in_progress", 20, 90000, 700, Validated),
        ]),
    },
    Demo {
        org: 4,
        coalition: EJR,
        areas: &[2],
        title: "Decent work charter for home-based workers",
        description: "A charter and a registry giving home-based women workers contracts, social insurance and a minimum piece rate.",
        types: &["policy", "advocacy"],
        pledge: None,
        countries: &["VN"],
        years: (2023, 2025),
        indicator: ("Workers registered", "workers", 20000.0),
        fate: Fate::Submitted,
    },
    Demo {
        org: 5,
        coalition: FML,
        areas: &[1, 4],
        title: "Pacific young feminists fund",
        description: "A participatory grant-making fund run by young feminists from twelve Pacific island countries.",
        types: &["financial"],
        pledge: Some(("2200000.00", "FJD", "980000.00")),
        countries: &["FJ", "PG", "SB", "VU", "WS", "TO"],
        years: (2021, 2025),
        indicator: ("Grants made", "grants", 240.0),
        fate: Fate::Approved(&[
            Report(2021, "in_progress", 15, 120000, 0, Validated),
            Report(2022, "in_progress", 35, 180000, 0, Validated),
            Report(2023, "in_progress", 55, 200000, 0, Validated),
            Report(2024, "in_progress", 72, 210000, 0, Validated),
            Report(2025, "in_progress", 88, 160000, 0, Validated),
        ]),
    },
    Demo {
        org: 5,
        coalition: CJ,
        areas: &[1],
        title: "Direct climate finance for women-led resilience projects",
        description: "Small grants, without intermediaries, for women's groups adapting to cyclones and sea-level rise.",
        types: &["financial"],
        pledge: Some(("1500000.00", "USD", "1500000.00")),
        countries: &["FJ", "KI", "TV"],
        years: (2022, 2025),
        indicator: ("Projects funded", "projects", 90.0),
        fate: Fate::WithdrawnAfterApproval(&[
            Report(2022, "in_progress", 20, 250000, 0, Validated),
            Report(2023, "cancelled", 20, 0, 0, Validated),
        ]),
    },
    Demo {
        org: 6,
        coalition: TI,
        areas: &[2, 3],
        title: "Feminist tech venture fund",
        description: "A USD 5 million fund investing in start-ups founded by women across South-East Asia, with an inclusive design review.",
        types: &["financial", "programmatic"],
        pledge: Some(("6700000.00", "SGD", "5000000.00")),
        countries: &["SG", "ID", "VN", "PH", "TH"],
        years: (2021, 2025),
        indicator: ("Start-ups funded", "start-ups", 40.0),
        fate: Fate::Approved(&[
            Report(2021, "in_progress", 10, 500000, 0, Validated),
            Report(2022, "in_progress", 30, 900000, 0, Validated),
            Report(2023, "in_progress", 50, 1100000, 0, Validated),
            Report(2024, "in_progress", 70, 1200000, 0, Pending),
        ]),
    },
    Demo {
        org: 6,
        coalition: TI,
        areas: &[4],
        title: "Safety by design in our products",
        description: "Safety reviews for every product release and a trust and safety team trained on tech-facilitated violence.",
        types: &["policy"],
        pledge: None,
        countries: &["SG"],
        years: (2022, 2024),
        indicator: ("Releases reviewed", "releases", 48.0),
        fate: Fate::Rejected,
    },
    Demo {
        org: 7,
        coalition: WPS,
        areas: &[2, 4],
        title: "Women mediators network in Asia and the Pacific",
        description: "Training, accompaniment and a roster of women mediators for local and national peace processes.",
        types: &["programmatic", "advocacy"],
        pledge: Some(("3200000.00", "USD", "3200000.00")),
        countries: &["MM", "PH", "AF", "TL"],
        years: (2021, 2025),
        indicator: ("Mediators on the roster", "mediators", 300.0),
        fate: Fate::Approved(&[
            Report(2021, "in_progress", 20, 500000, 120, Validated),
            Report(2022, "in_progress", 40, 700000, 180, Validated),
            Report(2023, "stalled", 45, 200000, 190, Queried),
            Report(2024, "in_progress", 60, 600000, 240, Validated),
            Report(2025, "in_progress", 78, 500000, 280, Validated),
        ]),
    },
    Demo {
        org: 7,
        coalition: GBV,
        areas: &[2, 4],
        title: "Prevention programmes with 200 women's organizations",
        description: "Community mobilisation programmes proven to prevent violence, led and run by local women's organizations.",
        types: &["programmatic", "financial"],
        pledge: Some(("9000000.00", "USD", "9000000.00")),
        countries: &["TH", "KH", "LA", "MM", "VN", "NP", "BD"],
        years: (2021, 2025),
        indicator: ("Organizations funded", "organizations", 200.0),
        fate: Fate::Approved(&[
            Report(2021, "in_progress", 15, 1200000, 20000, Validated),
            Report(2022, "in_progress", 35, 2100000, 52000, Validated),
            Report(2023, "in_progress", 55, 2300000, 81000, Validated),
            Report(2024, "in_progress", 72, 1900000, 110000, Validated),
        ]),
    },
    Demo {
        org: 8,
        coalition: EJR,
        areas: &[4],
        title: "Gender-responsive stimulus in five economies",
        description: "Technical support and policy-based loans to make recovery packages count unpaid care and women-owned firms.",
        types: &["policy", "financial"],
        pledge: Some(("250000000.00", "USD", "250000000.00")),
        countries: &["PH", "ID", "VN", "KH", "NP"],
        years: (2021, 2025),
        indicator: ("Economies with gender-tagged budgets", "economies", 5.0),
        fate: Fate::Approved(&[
            Report(2021, "in_progress", 20, 30000000, 0, Validated),
            Report(2022, "in_progress", 45, 60000000, 0, Validated),
            Report(2023, "in_progress", 62, 55000000, 0, Validated),
            Report(2024, "in_progress", 80, 50000000, 0, Validated),
            Report(2025, "completed", 100, 55000000, 0, Pending),
        ]),
    },
    Demo {
        org: 8,
        coalition: CJ,
        areas: &[2],
        title: "Green jobs for women in renewable energy",
        description: "Apprenticeships and hiring targets for women technicians in solar and wind projects the bank finances.",
        types: &["programmatic"],
        pledge: Some(("45000000.00", "PHP", "800000.00")),
        countries: &["PH"],
        years: (2023, 2025),
        indicator: ("Women technicians hired", "women", 1200.0),
        fate: Fate::ChangesRequested,
    },
    Demo {
        org: 9,
        coalition: TI,
        areas: &[3],
        title: "Open data on women in Indonesia's tech ecosystem",
        description: "A yearly open dataset and index of women's participation in tech firms, universities and investment.",
        types: &["programmatic", "advocacy"],
        pledge: Some(("1200000000.00", "IDR", "76000.00")),
        countries: &["ID"],
        years: (2021, 2025),
        indicator: ("Datasets published", "datasets", 5.0),
        fate: Fate::Approved(&[
            Report(2021, "in_progress", 20, 15000, 0, Validated),
            Report(2022, "in_progress", 40, 15000, 0, Validated),
        ]),
    },
    Demo {
        org: 9,
        coalition: TI,
        areas: &[2],
        title: "A feminist AI research lab",
        description: "Research on bias in language models for Bahasa Indonesia, with open tools.",
        types: &["programmatic"],
        pledge: None,
        countries: &["ID"],
        years: (2024, 2025),
        indicator: ("Papers published", "papers", 10.0),
        fate: Fate::Draft,
    },
    Demo {
        org: 10,
        coalition: BA,
        areas: &[1],
        title: "Comprehensive sexuality education in 300 Nepali schools",
        description: "Teacher training and peer educators for comprehensive sexuality education, in and out of school.",
        types: &["programmatic"],
        pledge: Some(("40000000.00", "NPR", "300000.00")),
        countries: &["NP"],
        years: (2022, 2025),
        indicator: ("Schools teaching CSE", "schools", 300.0),
        fate: Fate::Approved(&[
            Report(2022, "in_progress", 25, 60000, 9000, Validated),
            Report(2023, "in_progress", 45, 70000, 21000, Validated),
            Report(2024, "in_progress", 70, 80000, 38000, Validated),
            Report(2025, "in_progress", 90, 60000, 47000, Pending),
        ]),
    },
    Demo {
        org: 10,
        coalition: FML,
        areas: &[4],
        title: "Girls' parliaments in mountain districts",
        description: "Elected girls' parliaments that meet district councils twice a year.",
        types: &["advocacy"],
        pledge: None,
        countries: &["NP"],
        years: (2023, 2025),
        indicator: ("Girls' parliaments", "parliaments", 20.0),
        fate: Fate::WithdrawnDraft,
    },
    Demo {
        org: 11,
        coalition: BA,
        areas: &[2, 4],
        title: "EUR 400 million for sexual and reproductive health and rights",
        description: "Funding to UN partners and feminist organizations for contraception, safe abortion and the defence of SRHR.",
        types: &["financial", "advocacy"],
        pledge: Some(("400000000.00", "EUR", "432000000.00")),
        countries: &["SN", "ML", "BF", "NE", "TD", "HT"],
        years: (2021, 2025),
        indicator: ("Women reached with services", "women", 2000000.0),
        fate: Fate::Approved(&[
            Report(2021, "in_progress", 20, 85000000, 300000, Validated),
            Report(2022, "in_progress", 40, 90000000, 700000, Validated),
            Report(2023, "in_progress", 60, 88000000, 1100000, Validated),
            Report(2024, "in_progress", 80, 86000000, 1550000, Validated),
            Report(2025, "in_progress", 96, 80000000, 1900000, Validated),
        ]),
    },
    Demo {
        org: 11,
        coalition: WPS,
        areas: &[1],
        title: "Funding for women, peace and security in humanitarian response",
        description: "A multi-year envelope for gender equality in humanitarian programming and women peacebuilders.",
        types: &["financial"],
        pledge: Some(("50000000.00", "EUR", "54000000.00")),
        countries: &["SD", "SS", "YE", "LB"],
        years: (2022, 2025),
        indicator: ("Programmes funded", "programmes", 40.0),
        fate: Fate::Approved(&[
            Report(2022, "in_progress", 25, 12000000, 0, Validated),
            Report(2023, "in_progress", 50, 14000000, 0, Validated),
        ]),
    },
    Demo {
        org: 12,
        coalition: GBV,
        areas: &[1, 3],
        title: "Luna centres and a femicide alert protocol",
        description: "Integrated care centres for women in every borough and a protocol that acts on femicide risk within 24 hours.",
        types: &["policy", "programmatic", "financial"],
        pledge: Some(("95000000.00", "MXN", "5200000.00")),
        countries: &["MX"],
        years: (2021, 2025),
        indicator: ("Women supported", "women", 60000.0),
        fate: Fate::Approved(&[
            Report(2021, "in_progress", 20, 900000, 9000, Validated),
            Report(2022, "in_progress", 40, 1100000, 21000, Validated),
            Report(2023, "in_progress", 58, 1000000, 33000, Validated),
            Report(2024, "in_progress", 76, 1100000, 46000, Validated),
            Report(2025, "in_progress", 92, 900000, 57000, Pending),
        ]),
    },
    Demo {
        org: 13,
        coalition: CJ,
        areas: &[3],
        title: "Land rights and resilience for 8,000 women farmers",
        description: "Secure land tenure and drought-resilient farming for women in arid and semi-arid counties.",
        types: &["programmatic", "advocacy"],
        pledge: Some(("65000000.00", "KES", "500000.00")),
        countries: &["KE"],
        years: (2021, 2025),
        indicator: ("Women with secure tenure", "women", 8000.0),
        fate: Fate::Approved(&[Report(2021, "in_progress", 10, 40000, 600, Validated)]),
    },
    Demo {
        org: 13,
        coalition: BA,
        areas: &[3],
        title: "Legal defence fund for bodily autonomy",
        description: "Strategic litigation and legal aid defending women's decisions over their bodies.",
        types: &["advocacy", "financial"],
        pledge: Some(("15000000.00", "KES", "115000.00")),
        countries: &["KE", "UG", "TZ"],
        years: (2022, 2025),
        indicator: ("Cases taken", "cases", 150.0),
        fate: Fate::Completed(
            &[
                Report(2022, "in_progress", 45, 40000, 0, Validated),
                Report(2023, "in_progress", 80, 40000, 0, Validated),
                Report(2024, "completed", 100, 35000, 0, Validated),
            ],
            true,
        ),
    },
    Demo {
        org: 14,
        coalition: TI,
        areas: &[1, 2],
        title: "Meninas na Ciência: 20,000 girls in STEM",
        description: "After-school science and programming clubs with women scientists as mentors in public schools of the north-east.",
        types: &["programmatic"],
        pledge: Some(("1500000.00", "BRL", "300000.00")),
        countries: &["BR"],
        years: (2021, 2025),
        indicator: ("Girls in clubs", "girls", 20000.0),
        fate: Fate::Approved(&[
            Report(2021, "in_progress", 15, 40000, 2500, Validated),
            Report(2022, "in_progress", 30, 60000, 6000, Validated),
            Report(2023, "in_progress", 50, 65000, 10500, Validated),
            Report(2024, "in_progress", 68, 70000, 14000, Validated),
            Report(2025, "in_progress", 85, 60000, 17200, Validated),
        ]),
    },
    Demo {
        org: 14,
        coalition: TI,
        areas: &[4],
        title: "Youth moderators against online harassment",
        description: "Trained young moderators for school and community groups online.",
        types: &["programmatic"],
        pledge: None,
        countries: &["BR"],
        years: (2024, 2025),
        indicator: ("Moderators trained", "moderators", 500.0),
        fate: Fate::Submitted,
    },
    Demo {
        org: 15,
        coalition: CJ,
        areas: &[1, 4],
        title: "Women's climate observatories in the Sahel",
        description: "Community-run observatories collecting gender-disaggregated data on climate impacts, with small grants for adaptation.",
        types: &["programmatic", "financial"],
        pledge: Some(("180000000.00", "XOF", "300000.00")),
        countries: &["SN", "ML", "MR"],
        years: (2021, 2025),
        indicator: ("Observatories running", "observatories", 30.0),
        fate: Fate::Approved(&[
            Report(2021, "in_progress", 15, 30000, 0, Validated),
            Report(2022, "in_progress", 30, 50000, 0, Validated),
            Report(2023, "in_progress", 45, 50000, 0, Queried),
        ]),
    },
    Demo {
        org: 15,
        coalition: CJ,
        areas: &[2],
        title: "Solar kiosks run by women cooperatives",
        description: "Solar charging and cold-storage kiosks owned and run by women's cooperatives.",
        types: &["programmatic"],
        pledge: Some(("90000000.00", "XOF", "150000.00")),
        countries: &["SN"],
        years: (2024, 2025),
        indicator: ("Kiosks running", "kiosks", 60.0),
        fate: Fate::Approved(&[]),
    },
    Demo {
        org: 2,
        coalition: EJR,
        areas: &[2],
        title: "Market vendors' social protection scheme",
        description: "Enrolling women market vendors in the national social security fund.",
        types: &["policy"],
        pledge: None,
        countries: &["KH"],
        years: (2023, 2025),
        indicator: ("Vendors enrolled", "vendors", 15000.0),
        fate: Fate::Rejected,
    },
    Demo {
        org: 0,
        coalition: TI,
        areas: &[3],
        title: "Girls' hackathon for safer cities",
        description: "Hackathons where girls design apps with the city's transport and police departments.",
        types: &["programmatic", "advocacy"],
        pledge: Some(("20000.00", "USD", "20000.00")),
        countries: &["KH"],
        years: (2025, 2025),
        indicator: ("Apps piloted", "apps", 3.0),
        fate: Fate::ChangesRequested,
    },
    Demo {
        org: 12,
        coalition: GBV,
        areas: &[2],
        title: "Safe public transport campaign",
        description: "Campaign and reporting app for harassment on public transport.",
        types: &["advocacy"],
        pledge: None,
        countries: &["MX"],
        years: (2022, 2025),
        indicator: ("Reports received", "reports", 5000.0),
        fate: Fate::Draft,
    },
];

const CURRENCY_OF_USD: &str = "USD";

/// The world the demo holds, in one call; refuses a database that holds
/// commitments. Returns the accounts made, passwords included, to print once.
pub async fn seed(db: &Db, today: NaiveDate) -> AppResult<Vec<DemoAccount>> {
    let existing = db
        .run(|conn| Ok::<_, AppError>(crate::db::commitments::count_all(conn)?))
        .await?;
    if existing > 0 {
        return Err(AppError::conflict(
            "not_empty",
            format!(
                "the database already holds {existing} commitments: the demo goes into an empty one"
            ),
        ));
    }
    let mut accounts = Vec::new();
    let admin = account(
        db,
        &mut accounts,
        "secretariat@unwomen.demo",
        Role::Admin,
        None,
        &[],
        "the secretariat: everything",
    )
    .await?;
    account(
        db,
        &mut accounts,
        "dashboard@unwomen.demo",
        Role::Viewer,
        None,
        &[],
        "a dashboard's read-only account",
    )
    .await?;
    let mut leads = Vec::new();
    for (email, coalitions) in LEADS {
        leads.push(
            account(
                db,
                &mut accounts,
                email,
                Role::CoalitionLead,
                None,
                coalitions,
                "a coalition lead",
            )
            .await?,
        );
    }
    let lead_of = |coalition: &str| -> Actor {
        leads
            .iter()
            .find(|l| l.coalitions.iter().any(|c| c == coalition))
            .cloned()
            .unwrap_or_else(|| admin.clone())
    };
    // Organizations, each with its maker and its expressions of interest.
    let mut makers = Vec::new();
    for (i, org) in ORGS.iter().enumerate() {
        let profile = Profile {
            name: OrganizationName::parse(org.name).map_err(|e| AppError::Invalid(vec![e]))?,
            constituency: org.constituency,
            country: CountryCode::parse(org.country).map_err(|e| AppError::Invalid(vec![e]))?,
            un_region: Some(org.region),
            website: Website::parse(&format!(
                "https://{}",
                org.email.split('@').nth(1).unwrap_or("example.org")
            ))
            .ok(),
        };
        let organization = register(db, &mut accounts, org.email, profile).await?;
        let maker = Actor {
            user_id: organization.1,
            role: Role::Maker,
            organization_id: Some(organization.0.id.clone()),
            coalitions: Vec::new(),
        };
        for (j, coalition) in org.coalitions.iter().enumerate() {
            let new = NewExpression {
                coalition: (*coalition).to_owned(),
                fields: ExpressionFields {
                    action_areas: vec![1],
                    motivation: format!("{} works on this across {}.", org.name, org.country),
                    contact_email: None,
                },
            };
            let expression = expressions::create(db, maker.clone(), Ok(new)).await?;
            // One declined, one left pending; every other accepted.
            let decision = match (i, j) {
                (6, 1) => Some(Decision::Decline),
                (10, 2) => None,
                _ => Some(Decision::Accept),
            };
            if let Some(decision) = decision {
                let note = (decision == Decision::Decline)
                    .then(|| "Please tell us first how the products will be reviewed.".to_owned());
                expressions::decide(
                    db,
                    lead_of(coalition),
                    expression.row.id,
                    Ok(DecisionRequest { decision, note }),
                )
                .await?;
            }
        }
        makers.push(maker);
    }
    // Five yearly reporting cycles, each open from mid-January to the end of March.
    for year in 2021..=2025 {
        let cycle = NewCycle {
            year,
            opens_on: date(year + 1, 1, 15),
            closes_on: date(year + 1, 3, 31),
        };
        progress::open_cycle(db, cycle).await?;
    }
    for demo in &COMMITMENTS {
        let maker = makers[demo.org].clone();
        let lead = lead_of(demo.coalition);
        commitment(db, today, demo, maker, lead).await?;
    }
    Ok(accounts)
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// A password for generated accounts, drawn at random.
pub(crate) fn password() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut bytes = [0_u8; 9];
    OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("Demo-{hex}")
}

async fn account(
    db: &Db,
    accounts: &mut Vec<DemoAccount>,
    email: &str,
    role: Role,
    organization: Option<&str>,
    coalitions: &[&str],
    note: &str,
) -> AppResult<Actor> {
    let password = password();
    let new = NewAccount::parse(
        email,
        &password,
        email.split('@').next().unwrap_or(email),
        role,
        organization.map(str::to_owned),
        coalitions.iter().map(|c| (*c).to_owned()).collect(),
    )?;
    let created = create_account(db, new).await?;
    accounts.push(DemoAccount {
        email: email.to_owned(),
        role,
        password,
        note: if coalitions.is_empty() {
            note.to_owned()
        } else {
            format!("{note}: {}", coalitions.join(", "))
        },
    });
    Ok(Actor {
        user_id: created.user.id,
        role,
        organization_id: created.user.organization_id,
        coalitions: created.coalitions,
    })
}

async fn register(
    db: &Db,
    accounts: &mut Vec<DemoAccount>,
    email: &str,
    profile: Profile,
) -> AppResult<(OrganizationRow, String)> {
    let password = password();
    let name = profile.name.as_str().to_owned();
    let registration = super::organizations::Registration {
        profile,
        email: crate::domain::account::Email::parse(email)
            .map_err(|e| AppError::Invalid(vec![e]))?,
        password: crate::domain::account::Password::parse(&password)
            .map_err(|e| AppError::Invalid(vec![e]))?,
        display_name: crate::domain::account::DisplayName::parse(&name)
            .map_err(|e| AppError::Invalid(vec![e]))?,
    };
    let limits = crate::auth::rate_limit::Limits::default();
    let (organization, user) =
        super::organizations::register(db, &limits, "demo", Ok(registration)).await?;
    accounts.push(DemoAccount {
        email: email.to_owned(),
        role: Role::Maker,
        password,
        note: format!("a maker of {name}"),
    });
    Ok((organization, user.id))
}

/// Makes one demo commitment and walks it to its fate.
async fn commitment(
    db: &Db,
    today: NaiveDate,
    demo: &Demo,
    maker: Actor,
    lead: Actor,
) -> AppResult<()> {
    let (start, end) = demo.years;
    let content = ContentFields {
        action_areas: demo.areas.to_vec(),
        title: demo.title.to_owned(),
        description: demo.description.to_owned(),
        types: demo.types.iter().map(|t| (*t).to_owned()).collect(),
        pledge: demo.pledge.map(|(amount, currency, usd)| PledgeFields {
            amount: amount.to_owned(),
            currency: currency.to_owned(),
            amount_usd: Some(usd.to_owned()),
        }),
        countries: demo.countries.iter().map(|c| (*c).to_owned()).collect(),
        regions: Vec::new(),
        start_year: start,
        end_year: end,
        partners: Vec::new(),
        target_groups: vec!["Women and girls".to_owned()],
        indicators: vec![IndicatorFields {
            name: demo.indicator.0.to_owned(),
            unit: demo.indicator.1.to_owned(),
            baseline: Some(0.0),
            target: Some(demo.indicator.2),
        }],
    };
    let new = NewCommitment {
        coalition: demo.coalition.to_owned(),
        content,
    };
    // The created commitment's id is all the demo needs of the answer.
    let render =
        |record: &crate::db::commitments::CommitmentRecord| Ok(CreatedId(record.row.id.clone()));
    let CreatedId(id) =
        commitments::create(db, today, maker.clone(), Ok(new), None, render).await?;
    let any = Precondition::Any;
    let submit = || commitments::submit(db, today, maker.clone(), id.clone(), any.clone());
    let decide = |wanted: Move, words: &str| {
        let request = MoveRequest {
            wanted,
            words: words.to_owned(),
        };
        commitments::review(
            db,
            today,
            lead.clone(),
            id.clone(),
            any.clone(),
            Ok(request),
        )
    };
    match demo.fate {
        Fate::Draft => {}
        Fate::WithdrawnDraft => {
            commitments::withdraw(
                db,
                today,
                maker.clone(),
                id.clone(),
                any.clone(),
                Ok("Merged into another commitment.".into()),
            )
            .await?;
        }
        Fate::Submitted => {
            submit().await?;
        }
        Fate::ChangesRequested => {
            submit().await?;
            decide(
                Move::RequestChanges,
                "Please add a baseline and say which districts come first.",
            )
            .await?;
        }
        Fate::Rejected => {
            submit().await?;
            decide(Move::Reject, "This belongs to another coalition's actions.").await?;
        }
        Fate::Approved(reports)
        | Fate::WithdrawnAfterApproval(reports)
        | Fate::Completed(reports, _) => {
            submit().await?;
            decide(Move::Approve, "Approved: thank you.").await?;
            for report in reports {
                file(db, &id, demo, report, maker.clone(), lead.clone()).await?;
            }
            match demo.fate {
                Fate::WithdrawnAfterApproval(_) => {
                    commitments::withdraw(
                        db,
                        today,
                        maker.clone(),
                        id.clone(),
                        any.clone(),
                        Ok("The funding partner withdrew.".into()),
                    )
                    .await?;
                }
                Fate::Completed(_, true) => {
                    decide(
                        Move::VerifyCompletion,
                        "Verified with the final evaluation.",
                    )
                    .await?;
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Files one demo report on the day its cycle opened, and has it checked.
async fn file(
    db: &Db,
    id: &str,
    demo: &Demo,
    report: &Report,
    maker: Actor,
    lead: Actor,
) -> AppResult<()> {
    let Report(year, status, percent, disbursed_usd, people, check) = *report;
    let filed_on = date(year + 1, 2, 1);
    let fields = ReportFields {
        status: status.to_owned(),
        percent_complete: percent,
        disbursed: (disbursed_usd > 0).then(|| PledgeFields {
            amount: format!("{disbursed_usd}.00"),
            currency: CURRENCY_OF_USD.to_owned(),
            amount_usd: None,
        }),
        people_reached: (people > 0).then_some(people),
        narrative: format!(
            "{year}: {}. {} — {}% of the way.",
            status.replace('_', " "),
            demo.title,
            percent
        ),
        indicators: vec![(
            demo.indicator.0.to_owned(),
            demo.indicator.2 * f64::from(percent) / 100.0,
        )],
    };
    progress::file_report(
        db,
        filed_on,
        maker,
        id.to_owned(),
        year,
        Precondition::Missing,
        Ok(fields),
    )
    .await?;
    let decision = match check {
        Pending => return Ok(()),
        Validated => ValidationDecision::Validate,
        Queried => ValidationDecision::Query,
    };
    let note = (decision == ValidationDecision::Query).then(|| {
        "The figures differ from last year's: which districts does this count?".to_owned()
    });
    progress::validate_report(
        db,
        lead,
        id.to_owned(),
        year,
        Precondition::Any,
        Ok(ValidationRequest { decision, note }),
    )
    .await?;
    Ok(())
}

/// The answer the demo takes from a creation: the id made. Never kept (the
/// demo sends no `Idempotency-Key`), but answers are keepable.
struct CreatedId(String);

impl Kept for CreatedId {
    fn keep(&self) -> KeptForm {
        KeptForm {
            code: 201,
            meta: String::new(),
            body: self.0.clone(),
        }
    }

    fn replay(kept: KeptForm) -> Self {
        Self(kept.body)
    }
}
