//! The dayjs locales the real engine loads (`SET_LOCALE`): names of months and weekdays,
//! meridiem words, the first day of the week and of the year's first week, and the
//! localized format shortcuts (`L`, `LL`, `LT`, …).
//!
//! Known names are `en` (the default of every date), `zh`, `zh-cn`, `zh-hk`, `zh-tw`, `fr`,
//! `es`, `pt`, `ru`, `ar`, `de`, `ja`, `ko` and `hi`, in any case. An unknown name with a
//! region (`fr-CA`) falls back to its language (`fr`); any other unknown name leaves the
//! locale as it was.

/// Localized format shortcuts (`None` where the locale has none).
#[derive(Debug)]
pub struct Formats {
    /// `LT`
    pub lt: Option<&'static str>,
    /// `LTS`
    pub lts: Option<&'static str>,
    /// `L`
    pub l: Option<&'static str>,
    /// `LL`
    pub ll: Option<&'static str>,
    /// `LLL`
    pub lll: Option<&'static str>,
    /// `LLLL`
    pub llll: Option<&'static str>,
    /// `l`
    pub l1: Option<&'static str>,
    /// `ll`
    pub l2: Option<&'static str>,
    /// `lll`
    pub l3: Option<&'static str>,
    /// `llll`
    pub l4: Option<&'static str>,
}

impl Formats {
    /// The locale's own pattern for a shortcut token.
    pub fn get(&self, token: &str) -> Option<&'static str> {
        match token {
            "LT" => self.lt,
            "LTS" => self.lts,
            "L" => self.l,
            "LL" => self.ll,
            "LLL" => self.lll,
            "LLLL" => self.llll,
            "l" => self.l1,
            "ll" => self.l2,
            "lll" => self.l3,
            "llll" => self.l4,
            _ => None,
        }
    }

    /// `LT`, `LTS`, `L`, `LL`, `LLL` and `LLLL`, without the lower-case shortcuts.
    const fn upper([lt, lts, l, ll, lll, llll]: [&'static str; 6]) -> Formats {
        Formats {
            lt: Some(lt),
            lts: Some(lts),
            l: Some(l),
            ll: Some(ll),
            lll: Some(lll),
            llll: Some(llll),
            l1: None,
            l2: None,
            l3: None,
            l4: None,
        }
    }

    /// These formats with the lower-case shortcuts `l`, `ll`, `lll` and `llll`.
    const fn lower(self, [l1, l2, l3, l4]: [&'static str; 4]) -> Formats {
        Formats {
            l1: Some(l1),
            l2: Some(l2),
            l3: Some(l3),
            l4: Some(l4),
            ..self
        }
    }
}

/// How the `A`/`a` tokens name the time of day.
#[derive(Debug, Clone, Copy)]
pub enum Meridiem {
    /// `AM`/`PM` (`am`/`pm` for `a`).
    AmPm,
    /// The six Chinese periods, by hour and minute.
    ZhHourMinute,
    /// One word before noon, one after (either case).
    TwoWords(&'static str, &'static str),
    /// The four Russian periods, by hour.
    Ru,
}

impl Meridiem {
    /// The word for `hour:minute`, lower case when `lower` (where the locale has cases).
    pub fn word(self, hour: i64, minute: i64, lower: bool) -> &'static str {
        match self {
            Meridiem::AmPm => match (hour < 12, lower) {
                (true, false) => "AM",
                (false, false) => "PM",
                (true, true) => "am",
                (false, true) => "pm",
            },
            Meridiem::ZhHourMinute => match hour * 100 + minute {
                hm if hm < 600 => "凌晨",
                hm if hm < 900 => "早上",
                hm if hm < 1100 => "上午",
                hm if hm < 1300 => "中午",
                hm if hm < 1800 => "下午",
                _ => "晚上",
            },
            Meridiem::TwoWords(am, pm) => {
                if hour < 12 {
                    am
                } else {
                    pm
                }
            }
            Meridiem::Ru => match hour {
                h if h < 4 => "ночи",
                h if h < 12 => "утра",
                h if h < 17 => "дня",
                _ => "вечера",
            },
        }
    }
}

/// One locale's data.
#[derive(Debug)]
pub struct Locale {
    /// Lower-case name (`zh-cn`).
    pub name: &'static str,
    /// Month names (standalone forms where the locale has two).
    pub months: [&'static str; 12],
    /// Month names after a day number (`D MMMM`), where they differ.
    pub months_in_format: Option<[&'static str; 12]>,
    /// Short month names (`MMM`); `None`: the first three letters of the names.
    pub months_short: Option<[&'static str; 12]>,
    /// Short month names after a day number, where they differ.
    pub months_short_in_format: Option<[&'static str; 12]>,
    /// Weekday names, Sunday first.
    pub weekdays: [&'static str; 7],
    /// Short weekday names (`ddd`); `None`: the first three letters.
    pub weekdays_short: Option<[&'static str; 7]>,
    /// Shortest weekday names (`dd`); `None`: the first two letters.
    pub weekdays_min: Option<[&'static str; 7]>,
    /// First day of the week, 0 = Sunday.
    pub week_start: i64,
    /// The January day that is always in week 1.
    pub year_start: i64,
    /// Format shortcuts.
    pub formats: Formats,
    /// Meridiem words.
    pub meridiem: Meridiem,
}

impl PartialEq for Locale {
    fn eq(&self, other: &Locale) -> bool {
        self.name == other.name
    }
}

/// The patterns English falls back to for the upper-case shortcuts.
pub const ENGLISH_FORMATS: Formats = Formats::upper([
    "h:mm A",
    "h:mm:ss A",
    "MM/DD/YYYY",
    "MMMM D, YYYY",
    "MMMM D, YYYY h:mm A",
    "dddd, MMMM D, YYYY h:mm A",
]);

/// English, every date's locale until `SET_LOCALE`.
pub fn english() -> &'static Locale {
    &LOCALES[0]
}

/// The locale `SET_LOCALE(date, name)` switches to from `current`.
pub fn resolve(name: &str, current: &'static Locale) -> &'static Locale {
    let lower = name.to_lowercase();
    if let Some(l) = LOCALES.iter().find(|l| l.name == lower) {
        return l;
    }
    if let Some((lang, _)) = name.split_once('-')
        && let Some(l) = LOCALES.iter().find(|l| l.name == lang.to_lowercase())
    {
        return l;
    }
    current
}

/// The Japanese month names, also the short ones of Chinese and Japanese.
#[rustfmt::skip]
const NUMBERED_MONTHS_CJK: [&str; 12] = ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"];
/// The Chinese month names.
#[rustfmt::skip]
const ZH_MONTHS: [&str; 12] = ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"];
/// The Chinese weekday names.
#[rustfmt::skip]
const ZH_WEEKDAYS: [&str; 7] = ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"];
/// The shortest Chinese weekday names.
#[rustfmt::skip]
const ZH_WEEKDAYS_MIN: [&str; 7] = ["日", "一", "二", "三", "四", "五", "六"];
/// The short weekday names of traditional Chinese (`zh-hk`, `zh-tw`).
#[rustfmt::skip]
const ZH_WEEKDAYS_SHORT_TRADITIONAL: [&str; 7] = ["週日", "週一", "週二", "週三", "週四", "週五", "週六"];
/// The lower-case shortcuts of `zh`, `zh-cn` and `zh-tw`.
#[rustfmt::skip]
const ZH_LOWER_FORMATS: [&str; 4] = ["YYYY/M/D", "YYYY年M月D日", "YYYY年M月D日 HH:mm", "YYYY年M月D日dddd HH:mm"];
/// The Arabic month names, also the short ones.
#[rustfmt::skip]
const AR_MONTHS: [&str; 12] = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"];
/// The Korean month names, also the short ones.
#[rustfmt::skip]
const KO_MONTHS: [&str; 12] = ["1월", "2월", "3월", "4월", "5월", "6월", "7월", "8월", "9월", "10월", "11월", "12월"];
/// The short Japanese weekday names, also the shortest.
#[rustfmt::skip]
const JA_WEEKDAYS_SHORT: [&str; 7] = ["日", "月", "火", "水", "木", "金", "土"];
/// The short Korean weekday names, also the shortest.
#[rustfmt::skip]
const KO_WEEKDAYS_SHORT: [&str; 7] = ["일", "월", "화", "수", "목", "금", "토"];

/// English: every date's locale until `SET_LOCALE`, and what the other locales leave out
/// (dayjs's defaults: Sunday first, January 1st in week 1, `AM`/`PM`, one form of each name,
/// short names cut from the full ones).
#[rustfmt::skip]
const EN: Locale = Locale {
    name: "en",
    months: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
    months_in_format: None,
    months_short: None,
    months_short_in_format: None,
    weekdays: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
    weekdays_short: None,
    weekdays_min: None,
    week_start: 0,
    year_start: 1,
    formats: ENGLISH_FORMATS,
    meridiem: Meridiem::AmPm,
};

/// Simplified Chinese (`zh`, `zh-cn`).
#[rustfmt::skip]
const ZH: Locale = Locale {
    name: "zh",
    months: ZH_MONTHS,
    months_short: Some(NUMBERED_MONTHS_CJK),
    weekdays: ZH_WEEKDAYS,
    weekdays_short: Some(["周日", "周一", "周二", "周三", "周四", "周五", "周六"]),
    weekdays_min: Some(ZH_WEEKDAYS_MIN),
    week_start: 1, year_start: 4,
    formats: Formats::upper(["HH:mm", "HH:mm:ss", "YYYY/MM/DD", "YYYY年M月D日", "YYYY年M月D日Ah点mm分", "YYYY年M月D日ddddAh点mm分"]).lower(ZH_LOWER_FORMATS),
    meridiem: Meridiem::ZhHourMinute,
    ..EN
};

/// Traditional Chinese as Hong Kong writes it; `zh-tw` differs in the lower-case shortcuts
/// and the six periods of the day.
#[rustfmt::skip]
const ZH_HK: Locale = Locale {
    name: "zh-hk",
    weekdays_short: Some(ZH_WEEKDAYS_SHORT_TRADITIONAL),
    week_start: 0, year_start: 1,
    formats: Formats::upper(["HH:mm", "HH:mm:ss", "YYYY/MM/DD", "YYYY年M月D日", "YYYY年M月D日 HH:mm", "YYYY年M月D日dddd HH:mm"]),
    meridiem: Meridiem::AmPm,
    ..ZH
};

#[rustfmt::skip]
static LOCALES: [Locale; 14] = [
    EN,
    ZH,
    Locale { name: "zh-cn", ..ZH },
    ZH_HK,
    Locale {
        name: "zh-tw",
        formats: ZH_HK.formats.lower(ZH_LOWER_FORMATS),
        meridiem: Meridiem::ZhHourMinute,
        ..ZH_HK
    },
    Locale {
        name: "fr",
        months: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
        months_short: Some(["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]),
        weekdays: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        weekdays_short: Some(["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."]),
        weekdays_min: Some(["di", "lu", "ma", "me", "je", "ve", "sa"]),
        week_start: 1, year_start: 4,
        formats: Formats::upper(["HH:mm", "HH:mm:ss", "DD/MM/YYYY", "D MMMM YYYY", "D MMMM YYYY HH:mm", "dddd D MMMM YYYY HH:mm"]),
        ..EN
    },
    Locale {
        name: "es",
        months: ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
        months_short: Some(["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]),
        weekdays: ["domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado"],
        weekdays_short: Some(["dom.", "lun.", "mar.", "mié.", "jue.", "vie.", "sáb."]),
        weekdays_min: Some(["do", "lu", "ma", "mi", "ju", "vi", "sá"]),
        week_start: 1,
        formats: Formats::upper(["H:mm", "H:mm:ss", "DD/MM/YYYY", "D [de] MMMM [de] YYYY", "D [de] MMMM [de] YYYY H:mm", "dddd, D [de] MMMM [de] YYYY H:mm"]),
        ..EN
    },
    Locale {
        name: "pt",
        months: ["janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"],
        months_short: Some(["jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"]),
        weekdays: ["domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado"],
        weekdays_short: Some(["dom", "seg", "ter", "qua", "qui", "sex", "sab"]),
        weekdays_min: Some(["Do", "2ª", "3ª", "4ª", "5ª", "6ª", "Sa"]),
        week_start: 1, year_start: 4,
        formats: Formats::upper(["HH:mm", "HH:mm:ss", "DD/MM/YYYY", "D [de] MMMM [de] YYYY", "D [de] MMMM [de] YYYY [às] HH:mm", "dddd, D [de] MMMM [de] YYYY [às] HH:mm"]),
        ..EN
    },
    Locale {
        name: "ru",
        months: ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"],
        months_in_format: Some(["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"]),
        months_short: Some(["янв.", "февр.", "март", "апр.", "май", "июнь", "июль", "авг.", "сент.", "окт.", "нояб.", "дек."]),
        months_short_in_format: Some(["янв.", "февр.", "мар.", "апр.", "мая", "июня", "июля", "авг.", "сент.", "окт.", "нояб.", "дек."]),
        weekdays: ["воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"],
        weekdays_short: Some(["вск", "пнд", "втр", "срд", "чтв", "птн", "сбт"]),
        weekdays_min: Some(["вс", "пн", "вт", "ср", "чт", "пт", "сб"]),
        week_start: 1, year_start: 4,
        formats: Formats::upper(["H:mm", "H:mm:ss", "DD.MM.YYYY", "D MMMM YYYY г.", "D MMMM YYYY г., H:mm", "dddd, D MMMM YYYY г., H:mm"]),
        meridiem: Meridiem::Ru,
    },
    Locale {
        name: "ar",
        months: AR_MONTHS,
        months_short: Some(AR_MONTHS),
        weekdays: ["الأحد", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"],
        weekdays_short: Some(["أحد", "إثنين", "ثلاثاء", "أربعاء", "خميس", "جمعة", "سبت"]),
        weekdays_min: Some(["ح", "ن", "ث", "ر", "خ", "ج", "س"]),
        week_start: 6,
        formats: Formats::upper(["HH:mm", "HH:mm:ss", "D/‏M/‏YYYY", "D MMMM YYYY", "D MMMM YYYY HH:mm", "dddd D MMMM YYYY HH:mm"]),
        ..EN
    },
    Locale {
        name: "de",
        months: ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"],
        months_short: Some(["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.", "Nov.", "Dez."]),
        weekdays: ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
        weekdays_short: Some(["So.", "Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa."]),
        weekdays_min: Some(["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"]),
        week_start: 1, year_start: 4,
        formats: Formats::upper(["HH:mm", "HH:mm:ss", "DD.MM.YYYY", "D. MMMM YYYY", "D. MMMM YYYY HH:mm", "dddd, D. MMMM YYYY HH:mm"]),
        ..EN
    },
    Locale {
        name: "ja",
        months: NUMBERED_MONTHS_CJK,
        months_short: Some(NUMBERED_MONTHS_CJK),
        weekdays: ["日曜日", "月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日"],
        weekdays_short: Some(JA_WEEKDAYS_SHORT),
        weekdays_min: Some(JA_WEEKDAYS_SHORT),
        formats: Formats::upper(["HH:mm", "HH:mm:ss", "YYYY/MM/DD", "YYYY年M月D日", "YYYY年M月D日 HH:mm", "YYYY年M月D日 dddd HH:mm"]).lower(["YYYY/MM/DD", "YYYY年M月D日", "YYYY年M月D日 HH:mm", "YYYY年M月D日(ddd) HH:mm"]),
        meridiem: Meridiem::TwoWords("午前", "午後"),
        ..EN
    },
    Locale {
        name: "ko",
        months: KO_MONTHS,
        months_short: Some(KO_MONTHS),
        weekdays: ["일요일", "월요일", "화요일", "수요일", "목요일", "금요일", "토요일"],
        weekdays_short: Some(KO_WEEKDAYS_SHORT),
        weekdays_min: Some(KO_WEEKDAYS_SHORT),
        formats: Formats::upper(["A h:mm", "A h:mm:ss", "YYYY.MM.DD.", "YYYY년 MMMM D일", "YYYY년 MMMM D일 A h:mm", "YYYY년 MMMM D일 dddd A h:mm"]).lower(["YYYY.MM.DD.", "YYYY년 MMMM D일", "YYYY년 MMMM D일 A h:mm", "YYYY년 MMMM D일 dddd A h:mm"]),
        meridiem: Meridiem::TwoWords("오전", "오후"),
        ..EN
    },
    Locale {
        name: "hi",
        months: ["जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितम्बर", "अक्टूबर", "नवम्बर", "दिसम्बर"],
        months_short: Some(["जन.", "फ़र.", "मार्च", "अप्रै.", "मई", "जून", "जुल.", "अग.", "सित.", "अक्टू.", "नव.", "दिस."]),
        weekdays: ["रविवार", "सोमवार", "मंगलवार", "बुधवार", "गुरूवार", "शुक्रवार", "शनिवार"],
        weekdays_short: Some(["रवि", "सोम", "मंगल", "बुध", "गुरू", "शुक्र", "शनि"]),
        weekdays_min: Some(["र", "सो", "मं", "बु", "गु", "शु", "श"]),
        formats: Formats::upper(["A h:mm बजे", "A h:mm:ss बजे", "DD/MM/YYYY", "D MMMM YYYY", "D MMMM YYYY, A h:mm बजे", "dddd, D MMMM YYYY, A h:mm बजे"]),
        ..EN
    },
];
