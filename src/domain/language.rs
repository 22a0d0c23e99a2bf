//! Which language to answer in: `?lang=` first, then `Accept-Language`,
//! then English. Labels missing in the chosen language fall back to English.

use std::fmt;

/// The languages reference labels are kept in. The Asia-Pacific dialogue ran
/// in English, Chinese, Bahasa Indonesia and Khmer; French and Spanish are the
/// Forum's other working languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    En,
    Fr,
    Es,
    Zh,
    Id,
    Km,
}

impl Language {
    pub const ALL: [Language; 6] = [
        Language::En,
        Language::Fr,
        Language::Es,
        Language::Zh,
        Language::Id,
        Language::Km,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
            Language::Es => "es",
            Language::Zh => "zh",
            Language::Id => "id",
            Language::Km => "km",
        }
    }

    /// The supported language of a tag's primary subtag (`zh-Hans-CN` → `zh`).
    fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        Self::ALL.into_iter().find(|l| l.code() == primary)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A label in `lang`, else in English: `find` looks one up by language code.
/// Returns the label and the language it is actually in.
pub fn pick<T>(lang: Language, mut find: impl FnMut(&str) -> Option<T>) -> Option<(T, Language)> {
    find(lang.code())
        .map(|label| (label, lang))
        .or_else(|| find(Language::En.code()).map(|label| (label, Language::En)))
}

/// `?lang=` is not a language tag (BCP 47 shape: `fr`, `zh-Hans`, `pt-BR`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("lang must be a language tag such as en, fr, es, zh, id or km; got {0:?}")]
pub struct InvalidLanguageTag(pub String);

/// The longest tag accepted; documented as `lang`'s `maxLength`.
pub const MAX_TAG_LENGTH: usize = 35;

/// The longest `Accept-Language` read (browsers send a few dozen
/// characters); documented as the header's `maxLength`. A longer one is
/// refused rather than read.
pub const MAX_ACCEPT_LENGTH: usize = 1000;

fn is_language_tag(tag: &str) -> bool {
    if tag.len() > MAX_TAG_LENGTH {
        return false;
    }
    let mut parts = tag.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Chooses the answer's language. A well-formed tag we do not keep (`de`)
/// falls back to English; a malformed `?lang=` is refused so that typos show.
/// A malformed `Accept-Language` is ignored, as browsers expect.
pub fn negotiate(
    lang_param: Option<&str>,
    accept_language: Option<&str>,
) -> Result<Language, InvalidLanguageTag> {
    if let Some(accept) = accept_language.filter(|a| a.len() > MAX_ACCEPT_LENGTH) {
        return Err(InvalidLanguageTag(format!(
            "an Accept-Language of {} characters",
            accept.len()
        )));
    }
    if let Some(tag) = lang_param {
        if !is_language_tag(tag) {
            return Err(InvalidLanguageTag(tag.to_owned()));
        }
        return Ok(Language::from_tag(tag).unwrap_or_default());
    }
    Ok(accept_language
        .map(from_accept_language)
        .unwrap_or_default())
}

/// The supported language with the highest `q` in an `Accept-Language` value.
fn from_accept_language(header: &str) -> Language {
    let mut best: Option<(u16, Language)> = None;
    for item in header.split(',') {
        let mut fields = item.split(';').map(str::trim);
        let Some(tag) = fields.next().filter(|t| is_language_tag(t)) else {
            continue;
        };
        let quality = fields
            .find_map(|f| f.strip_prefix("q="))
            .map_or(Some(1000), parse_quality);
        let (Some(quality), Some(language)) = (quality, Language::from_tag(tag)) else {
            continue;
        };
        // Ties keep the earlier entry, as the header lists preferences in order.
        if quality > 0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, language));
        }
    }
    best.map(|(_, l)| l).unwrap_or_default()
}

/// `q` values are 0 to 1 with up to three decimals; returned in thousandths.
fn parse_quality(value: &str) -> Option<u16> {
    let q: f32 = value.parse().ok()?;
    (0.0..=1.0)
        .contains(&q)
        .then(|| (q * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_parameter_wins_and_unknown_tags_fall_back_to_english() {
        assert_eq!(negotiate(Some("km"), Some("fr")), Ok(Language::Km));
        assert_eq!(negotiate(Some("zh-Hans"), None), Ok(Language::Zh));
        assert_eq!(negotiate(Some("de"), Some("fr")), Ok(Language::En));
        assert!(negotiate(Some("not a tag"), None).is_err());
        assert!(negotiate(Some(""), None).is_err());
        assert!(negotiate(Some(&format!("fr-{}", "abcdefgh-".repeat(4))), None).is_err());
    }

    #[test]
    fn labels_fall_back_to_english() {
        let labels = [("en", "Technology"), ("fr", "Technologie")];
        let find = |code: &str| labels.iter().find(|(c, _)| *c == code).map(|(_, l)| *l);
        assert_eq!(
            pick(Language::Fr, find),
            Some(("Technologie", Language::Fr))
        );
        assert_eq!(pick(Language::Km, find), Some(("Technology", Language::En)));
        assert_eq!(pick(Language::Km, |_| None::<&str>), None);
    }

    #[test]
    fn accept_language_is_read_by_quality() {
        assert_eq!(
            negotiate(None, Some("de-DE, fr;q=0.8, es;q=0.9")),
            Ok(Language::Es)
        );
        assert_eq!(
            negotiate(None, Some("id-ID,id;q=0.9,en;q=0.8")),
            Ok(Language::Id)
        );
        assert_eq!(negotiate(None, Some("fr;q=0, km")), Ok(Language::Km));
        assert_eq!(negotiate(None, Some("*")), Ok(Language::En));
        assert_eq!(negotiate(None, Some(";;;,q=2")), Ok(Language::En));
        assert_eq!(negotiate(None, None), Ok(Language::En));
    }
}
