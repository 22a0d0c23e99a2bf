//! What the words of the API's enumerations read as, in the six languages:
//! statuses, types, constituencies, implementation, reporting health and
//! regions. Country names are in `country_names`; coalitions and action
//! areas are reference data in the database.

use super::codes::COUNTRIES;
use super::country_names::COUNTRY_NAMES;
use super::language::Language;

/// Which enumeration a word belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocabulary {
    Status,
    Type,
    Constituency,
    Implementation,
    Health,
    UnRegion,
}

type Row = (Vocabulary, &'static str, [&'static str; 6]);

use Vocabulary::{Constituency, Health, Implementation, Status, Type, UnRegion};

/// Each word in en, fr, es, zh, id, km.
const LABELS: [Row; 37] = [
    (
        Status,
        "draft",
        ["Draft", "Brouillon", "Borrador", "草稿", "Draf", "សេចក្តីព្រាង"],
    ),
    (
        Status,
        "submitted",
        [
            "Submitted",
            "Soumis",
            "Presentado",
            "已提交",
            "Diajukan",
            "បានដាក់ស្នើ",
        ],
    ),
    (
        Status,
        "changes_requested",
        [
            "Changes requested",
            "Modifications demandées",
            "Cambios solicitados",
            "要求修改",
            "Perubahan diminta",
            "បានស្នើឱ្យកែប្រែ",
        ],
    ),
    (
        Status,
        "approved",
        [
            "Approved",
            "Approuvé",
            "Aprobado",
            "已批准",
            "Disetujui",
            "បានអនុម័ត",
        ],
    ),
    (
        Status,
        "rejected",
        [
            "Rejected",
            "Rejeté",
            "Rechazado",
            "已拒绝",
            "Ditolak",
            "បានបដិសេធ",
        ],
    ),
    (
        Status,
        "completion_claimed",
        [
            "Completion claimed",
            "Achèvement déclaré",
            "Finalización declarada",
            "已申报完成",
            "Penyelesaian diklaim",
            "បានប្រកាសថាបានបញ្ចប់",
        ],
    ),
    (
        Status,
        "completed",
        [
            "Completed",
            "Achevé",
            "Completado",
            "已完成",
            "Selesai",
            "បានបញ្ចប់",
        ],
    ),
    (
        Status,
        "withdrawn",
        [
            "Withdrawn",
            "Retiré",
            "Retirado",
            "已撤回",
            "Ditarik",
            "បានដកចេញ",
        ],
    ),
    (
        Type,
        "financial",
        [
            "Financial",
            "Financier",
            "Financiero",
            "资金",
            "Keuangan",
            "ហិរញ្ញវត្ថុ",
        ],
    ),
    (
        Type,
        "policy",
        [
            "Policy",
            "Politique",
            "Política",
            "政策",
            "Kebijakan",
            "គោលនយោបាយ",
        ],
    ),
    (
        Type,
        "programmatic",
        [
            "Programmatic",
            "Programmatique",
            "Programático",
            "方案",
            "Program",
            "កម្មវិធី",
        ],
    ),
    (
        Type,
        "advocacy",
        [
            "Advocacy",
            "Plaidoyer",
            "Incidencia",
            "倡导",
            "Advokasi",
            "ការតស៊ូមតិ",
        ],
    ),
    (
        Constituency,
        "government",
        [
            "Government",
            "Gouvernement",
            "Gobierno",
            "政府",
            "Pemerintah",
            "រដ្ឋាភិបាល",
        ],
    ),
    (
        Constituency,
        "local_government",
        [
            "Local government",
            "Collectivité locale",
            "Gobierno local",
            "地方政府",
            "Pemerintah daerah",
            "រដ្ឋបាលថ្នាក់ក្រោមជាតិ",
        ],
    ),
    (
        Constituency,
        "civil_society",
        [
            "Civil society",
            "Société civile",
            "Sociedad civil",
            "民间社会",
            "Masyarakat sipil",
            "សង្គមស៊ីវិល",
        ],
    ),
    (
        Constituency,
        "womens_rights_org",
        [
            "Women's rights organization",
            "Organisation de défense des droits des femmes",
            "Organización de derechos de las mujeres",
            "妇女权利组织",
            "Organisasi hak perempuan",
            "អង្គការសិទ្ធិស្ត្រី",
        ],
    ),
    (
        Constituency,
        "youth_led",
        [
            "Youth-led organization",
            "Organisation dirigée par des jeunes",
            "Organización liderada por jóvenes",
            "青年主导组织",
            "Organisasi yang dipimpin kaum muda",
            "អង្គការដឹកនាំដោយយុវជន",
        ],
    ),
    (
        Constituency,
        "private_sector",
        [
            "Private sector",
            "Secteur privé",
            "Sector privado",
            "私营部门",
            "Sektor swasta",
            "វិស័យឯកជន",
        ],
    ),
    (
        Constituency,
        "philanthropy",
        [
            "Philanthropy",
            "Philanthropie",
            "Filantropía",
            "慈善机构",
            "Filantropi",
            "សប្បុរសធម៌",
        ],
    ),
    (
        Constituency,
        "un_entity",
        [
            "UN entity",
            "Entité des Nations Unies",
            "Entidad de las Naciones Unidas",
            "联合国实体",
            "Entitas PBB",
            "អង្គភាពអង្គការសហប្រជាជាតិ",
        ],
    ),
    (
        Constituency,
        "multilateral",
        [
            "Multilateral organization",
            "Organisation multilatérale",
            "Organización multilateral",
            "多边组织",
            "Organisasi multilateral",
            "អង្គការពហុភាគី",
        ],
    ),
    (
        Constituency,
        "academia",
        [
            "Academia",
            "Milieu universitaire",
            "Academia",
            "学术界",
            "Akademisi",
            "ស្ថាប័នសិក្សា",
        ],
    ),
    (
        Constituency,
        "other",
        ["Other", "Autre", "Otro", "其他", "Lainnya", "ផ្សេងៗ"],
    ),
    (
        Implementation,
        "not_started",
        [
            "Not started",
            "Pas commencé",
            "No iniciado",
            "未开始",
            "Belum dimulai",
            "មិនទាន់ចាប់ផ្តើម",
        ],
    ),
    (
        Implementation,
        "in_progress",
        [
            "In progress",
            "En cours",
            "En curso",
            "进行中",
            "Sedang berjalan",
            "កំពុងដំណើរការ",
        ],
    ),
    (
        Implementation,
        "completed",
        [
            "Completed",
            "Achevé",
            "Completado",
            "已完成",
            "Selesai",
            "បានបញ្ចប់",
        ],
    ),
    (
        Implementation,
        "stalled",
        [
            "Stalled",
            "Au point mort",
            "Estancado",
            "停滞",
            "Terhenti",
            "ជាប់គាំង",
        ],
    ),
    (
        Implementation,
        "cancelled",
        [
            "Cancelled",
            "Annulé",
            "Cancelado",
            "已取消",
            "Dibatalkan",
            "បានលុបចោល",
        ],
    ),
    (
        Implementation,
        "not_reported",
        [
            "Not reported",
            "Non communiqué",
            "Sin informe",
            "未报告",
            "Belum dilaporkan",
            "មិនទាន់រាយការណ៍",
        ],
    ),
    (
        Health,
        "green",
        [
            "Reporting on time",
            "Rapports à jour",
            "Informes al día",
            "按时报告",
            "Melapor tepat waktu",
            "រាយការណ៍ទាន់ពេល",
        ],
    ),
    (
        Health,
        "amber",
        [
            "One cycle missed",
            "Un cycle manqué",
            "Un ciclo sin informe",
            "错过一个周期",
            "Satu siklus terlewat",
            "ខកខានមួយវដ្ត",
        ],
    ),
    (
        Health,
        "red",
        [
            "Two or more cycles missed",
            "Deux cycles manqués ou plus",
            "Dos o más ciclos sin informe",
            "错过两个或更多周期",
            "Dua siklus atau lebih terlewat",
            "ខកខានពីរវដ្ត ឬច្រើនជាងនេះ",
        ],
    ),
    (
        UnRegion,
        "africa",
        ["Africa", "Afrique", "África", "非洲", "Afrika", "អាហ្វ្រិក"],
    ),
    (
        UnRegion,
        "americas_caribbean",
        [
            "Americas and the Caribbean",
            "Amériques et Caraïbes",
            "Américas y el Caribe",
            "美洲和加勒比",
            "Amerika dan Karibia",
            "អាមេរិក និងការ៉ាប៊ីន",
        ],
    ),
    (
        UnRegion,
        "arab_states",
        [
            "Arab States",
            "États arabes",
            "Estados Árabes",
            "阿拉伯国家",
            "Negara-negara Arab",
            "រដ្ឋអារ៉ាប់",
        ],
    ),
    (
        UnRegion,
        "asia_pacific",
        [
            "Asia and the Pacific",
            "Asie et Pacifique",
            "Asia y el Pacífico",
            "亚洲及太平洋",
            "Asia dan Pasifik",
            "អាស៊ី និងប៉ាស៊ីហ្វិក",
        ],
    ),
    (
        UnRegion,
        "europe_central_asia",
        [
            "Europe and Central Asia",
            "Europe et Asie centrale",
            "Europa y Asia Central",
            "欧洲和中亚",
            "Eropa dan Asia Tengah",
            "អឺរ៉ុប និងអាស៊ីកណ្តាល",
        ],
    ),
];

fn index(lang: Language) -> usize {
    Language::ALL.iter().position(|l| *l == lang).unwrap_or(0)
}

/// The word `key` of `vocabulary` in `lang`, if it is one.
pub fn label(vocabulary: Vocabulary, key: &str, lang: Language) -> Option<&'static str> {
    LABELS
        .iter()
        .find(|(v, k, _)| *v == vocabulary && *k == key)
        .map(|(_, _, words)| words[index(lang)])
}

/// Every word of `vocabulary` in `lang`: for pages that label their own lists.
pub fn vocabulary(vocabulary: Vocabulary, lang: Language) -> Vec<(&'static str, &'static str)> {
    LABELS
        .iter()
        .filter(|(v, _, _)| *v == vocabulary)
        .map(|(_, k, words)| (*k, words[index(lang)]))
        .collect()
}

/// A country's name in `lang` (English where no translation exists).
pub fn country(code: &str, lang: Language) -> Option<&'static str> {
    let english = COUNTRIES
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .map(|i| COUNTRIES[i].1)?;
    match index(lang) {
        0 => Some(english),
        i => COUNTRY_NAMES
            .binary_search_by(|(c, _)| (*c).cmp(code))
            .ok()
            .map(|at| COUNTRY_NAMES[at].1[i - 1]),
    }
}

/// Every country's name in `lang`, by code.
pub fn countries(lang: Language) -> Vec<(&'static str, &'static str)> {
    COUNTRIES
        .iter()
        .map(|(code, english)| (*code, country(code, lang).unwrap_or(english)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_reads_in_every_language() {
        for (vocabulary, key, words) in LABELS {
            assert!(words.iter().all(|w| !w.is_empty()), "{vocabulary:?} {key}");
        }
        assert_eq!(
            label(Vocabulary::Status, "approved", Language::Fr),
            Some("Approuvé")
        );
        assert_eq!(
            label(Vocabulary::Type, "advocacy", Language::Km),
            Some("ការតស៊ូមតិ")
        );
        assert_eq!(label(Vocabulary::Status, "nonsense", Language::En), None);
        assert_eq!(country("KH", Language::Km), Some("កម្ពុជា"));
        assert_eq!(country("KH", Language::En), Some("Cambodia"));
        assert_eq!(country("XX", Language::En), None);
        assert!(COUNTRY_NAMES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(COUNTRY_NAMES.len(), COUNTRIES.len());
    }
}
