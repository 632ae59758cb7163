//! Simulated time. The engine never reads a real clock: time is an input,
//! advanced explicitly by actions, so every run is reproducible.
//!
//! Times reach here from users (cookie `Expires`, JWT claims, waits), so all
//! arithmetic is checked or saturating: the clock stops at its ends rather
//! than wrapping.
#![deny(clippy::arithmetic_side_effects)]

use std::fmt;

/// Milliseconds since the Unix epoch on the simulated clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// Every run starts here: Thursday 15 January 2026, 09:00:00 UTC. A fixed,
/// plausible date makes `Date` headers and JWT `iat`/`exp` look like real ones.
pub const START: SimTime = SimTime(1_768_467_600_000);

impl SimTime {
    /// Whole seconds since the epoch, rounded down (as JWT claims and
    /// HTTP dates count).
    pub const fn secs(self) -> u64 {
        self.0 / 1000
    }

    /// A time given in whole seconds (a JWT's `exp`), if it fits in milliseconds.
    pub const fn from_secs(secs: u64) -> Option<SimTime> {
        match secs.checked_mul(1000) {
            Some(ms) => Some(SimTime(ms)),
            None => None,
        }
    }

    /// Later by `ms`, stopping at the end of the clock rather than wrapping
    /// (one saturating add: this runs on the engine's hot path).
    pub const fn plus_ms(self, ms: u64) -> SimTime {
        SimTime(self.0.saturating_add(ms))
    }

    /// Shifted by a signed offset (a server's clock skew), saturating at the epoch.
    pub const fn offset(self, ms: i64) -> SimTime {
        SimTime(self.0.saturating_add_signed(ms))
    }

    /// `Thu, 15 Jan 2026 09:00:00 GMT` — the IMF-fixdate of RFC 9110, used by
    /// `Date` and cookie `Expires`.
    pub fn http_date(self) -> String {
        // Written piece by piece: every response carries one, and the
        // formatter's padding machinery cost more than the rest of `Date`.
        let c = Civil::from_secs(self.secs());
        let mut s = String::with_capacity(29);
        s.push_str(WEEKDAYS[c.weekday as usize]);
        s.push_str(", ");
        push_digits(&mut s, c.day.into(), 2);
        s.push(' ');
        s.push_str(MONTHS[c.month.saturating_sub(1) as usize]);
        s.push(' ');
        match u64::try_from(c.year) {
            Ok(year @ 1000..=9999) => push_digits(&mut s, year, 4),
            _ => s.push_str(&c.year.to_string()),
        }
        for (sep, n) in [(' ', c.hour), (':', c.minute), (':', c.second)] {
            s.push(sep);
            push_digits(&mut s, n, 2);
        }
        s.push_str(" GMT");
        s
    }

    /// Parses exactly the IMF-fixdate form [`SimTime::http_date`] writes, for
    /// the years 1601 (RFC 6265 §5.1.1) to [`MAX_YEAR`]; anything else is not
    /// a date (`None`). Instants before 1970 become the epoch: the simulated
    /// clock starts there, so they are all equally past.
    pub fn parse_http_date(s: &str) -> Option<SimTime> {
        let rest = s.trim().get(5..)?; // skip "Thu, "
        let mut it = rest.split(' ');
        let day: u32 = it.next()?.parse().ok()?;
        let month_name = it.next()?;
        let (month, _) = (1u32..).zip(MONTHS).find(|(_, m)| m.eq_ignore_ascii_case(month_name))?;
        let year: i64 = it.next()?.parse().ok().filter(|y| (1601..=MAX_YEAR).contains(y))?;
        let mut hms = it.next()?.split(':').map(|p| p.parse::<i64>().ok());
        let (h, m, sec) = (hms.next()??, hms.next()??, hms.next()??);
        if it.next()? != "GMT"
            || !(1..=31).contains(&day)
            || !(0..24).contains(&h)
            || !(0..60).contains(&m)
            || !(0..=60).contains(&sec)
        {
            return None;
        }
        let secs = days_from_civil(year, month, day)?
            .checked_mul(86_400)?
            .checked_add(h.checked_mul(3600)?.checked_add(m.checked_mul(60)?)?.checked_add(sec)?)?;
        SimTime::from_secs(u64::try_from(secs).unwrap_or(0))
    }

    /// `2026-01-15T09:00:00.000Z` (ISO 8601, as HAR and JSON want it).
    pub fn iso8601(self) -> String {
        let c = Civil::from_secs(self.secs());
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            c.year,
            c.month,
            c.day,
            c.hour,
            c.minute,
            c.second,
            self.0 % 1000
        )
    }

    /// `in 14 min`, `3 s ago` or `now`: this instant seen from `now`, the one
    /// phrasing every panel uses for expiries and issue times.
    pub fn relative_to(self, now: SimTime) -> String {
        match self.cmp(&now) {
            std::cmp::Ordering::Greater => format!("in {}", human_duration(self.0.abs_diff(now.0) / 1000)),
            std::cmp::Ordering::Less => format!("{} ago", human_duration(self.0.abs_diff(now.0) / 1000)),
            std::cmp::Ordering::Equal => "now".into(),
        }
    }

    /// `09:00:05` — the clock as a learner reads it in traces.
    pub fn clock(self) -> String {
        let c = Civil::from_secs(self.secs());
        format!("{:02}:{:02}:{:02}", c.hour, c.minute, c.second)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.clock())
    }
}

/// A span in words: `14 min`, `1 h 5 min`, `45 s`.
pub fn human_duration(secs: u64) -> String {
    match secs {
        0..=89 => format!("{secs} s"),
        // Rounded to the nearest minute; the range keeps the sum small.
        90..=3599 => format!("{} min", secs.saturating_add(30) / 60),
        _ if secs % 3600 < 60 => format!("{} h", secs / 3600),
        _ => format!("{} h {} min", secs / 3600, (secs % 3600) / 60),
    }
}

/// The last year a date may name: IMF-fixdate writes four digits, and
/// claims or cookies beyond it are not meaningful times.
pub(crate) const MAX_YEAR: i64 = 9999;

/// The last second of [`MAX_YEAR`] (`Fri, 31 Dec 9999 23:59:59 GMT`).
pub const MAX_SECS: u64 = 253_402_300_799;

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The last `width` decimal digits of `n`, zero-padded.
fn push_digits(s: &mut String, n: u64, width: u32) {
    for k in (0..width).rev() {
        let digit = n.checked_div(10u64.saturating_pow(k)).unwrap_or(0) % 10;
        s.push(char::from_digit(digit as u32, 10).unwrap_or('0'));
    }
}

struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u64,
    minute: u64,
    second: u64,
    weekday: u64,
}

impl Civil {
    #[expect(clippy::arithmetic_side_effects, reason = "days < 2.2e11, so `days + 4` cannot overflow")]
    fn from_secs(secs: u64) -> Civil {
        let days = (secs / 86_400) as i64;
        let tod = secs % 86_400;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: tod / 3600,
            minute: tod / 60 % 60,
            second: tod % 60,
            weekday: ((days + 4) % 7) as u64, // 1970-01-01 was a Thursday
        }
    }
}

// Howard Hinnant's proleptic Gregorian conversions (public domain algorithms).
#[expect(
    clippy::arithmetic_side_effects,
    reason = "days come from a u64 of milliseconds, so |z| < 2.2e11 and no step nears i64's range"
)]
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Days since 1970-01-01 of a civil date; `None` past what `i64` holds.
/// Checked throughout: its year comes from text a user or server wrote.
fn days_from_civil(y: i64, m: u32, d: u32) -> Option<i64> {
    let y = if m <= 2 { y.checked_sub(1)? } else { y };
    let era = y.div_euclid(400);
    let yoe = y.checked_sub(era.checked_mul(400)?)?;
    let mp = i64::from(m.checked_add(9)? % 12);
    let doy = (mp.checked_mul(153)?.checked_add(2)? / 5).checked_add(i64::from(d))?.checked_sub(1)?;
    let doe = yoe.checked_mul(365)?.checked_add(yoe / 4)?.checked_sub(yoe / 100)?.checked_add(doy)?;
    era.checked_mul(146_097)?.checked_add(doe)?.checked_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_is_the_documented_instant() {
        assert_eq!(START.http_date(), "Thu, 15 Jan 2026 09:00:00 GMT");
        assert_eq!(START.iso8601(), "2026-01-15T09:00:00.000Z");
        assert_eq!(SimTime(0).http_date(), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(SimTime(951_782_400_000).http_date(), "Tue, 29 Feb 2000 00:00:00 GMT");
    }

    proptest::proptest! {
        /// Another reader agrees on every second the clock can show.
        #[test]
        fn http_dates_read_back_in_the_cookie_crate(secs in 0u64..=MAX_SECS) {
            let date = SimTime::from_secs(secs).unwrap().http_date();
            let c = cookie::Cookie::parse(format!("a=b; Expires={date}")).unwrap();
            proptest::prop_assert_eq!(c.expires_datetime().map(|t| t.unix_timestamp()), Some(secs as i64), "{}", date);
            proptest::prop_assert_eq!(date.len(), 29);
        }
    }

    #[test]
    fn http_date_round_trips() {
        for t in [0, 951_782_400_000, START.0, 4_102_444_799_000] {
            let t = SimTime(t);
            assert_eq!(SimTime::parse_http_date(&t.http_date()), Some(t));
        }
        assert_eq!(SimTime::parse_http_date("Thu, 15 Foo 2026 09:00:00 GMT"), None);
        assert_eq!(SimTime::parse_http_date("yesterday"), None);
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(45), "45 s");
        assert_eq!(human_duration(840), "14 min");
        assert_eq!(human_duration(3600), "1 h");
        assert_eq!(human_duration(3900), "1 h 5 min");
        assert_eq!(START.plus_ms(840_000).relative_to(START), "in 14 min");
        assert_eq!(START.relative_to(START.plus_ms(3_000)), "3 s ago");
        assert_eq!(START.relative_to(START), "now");
    }

    #[test]
    fn dates_beyond_year_9999_or_before_1601_are_not_dates() {
        let last = SimTime::from_secs(MAX_SECS).unwrap();
        assert_eq!(last.http_date(), "Fri, 31 Dec 9999 23:59:59 GMT");
        assert_eq!(SimTime::parse_http_date(&last.http_date()), Some(last));
        for text in [
            "Sat, 01 Jan 10000 00:00:00 GMT",
            "Thu, 01 Jan 9223372036854775807 00:00:00 GMT",
            "Thu, 01 Jan -9223372036854775808 00:00:00 GMT",
            "Mon, 31 Dec 1600 23:59:59 GMT",
            "Thu, 01 Jan 1970 99999999999999999999:00:00 GMT",
        ] {
            assert_eq!(SimTime::parse_http_date(text), None, "{text}");
        }
        assert_eq!(SimTime::parse_http_date("Wed, 31 Dec 1969 23:59:59 GMT"), Some(SimTime(0)), "past is past");
    }

    #[test]
    fn the_clock_stops_at_its_ends() {
        let end = SimTime(u64::MAX);
        assert_eq!(START.plus_ms(u64::MAX), end);
        assert_eq!(end.offset(i64::MAX), end);
        assert_eq!(SimTime(0).offset(i64::MIN), SimTime(0));
        assert_eq!(SimTime(0).relative_to(end), "5124095576030 h 25 min ago");
        assert_eq!(end.relative_to(SimTime(0)), "in 5124095576030 h 25 min");
        assert_eq!(human_duration(u64::MAX), "5124095576030431 h");
        assert!(end.http_date().ends_with("GMT"));
        assert!(end.iso8601().ends_with('Z'));
    }
}
