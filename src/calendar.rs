//! Months, quarters and UK financial years: the periods meeting feedback is counted in and the
//! calendar attributes the Power BI date tables carry.
//!
//! A UK public-sector financial year runs from 1 April to 31 March: 2025/26 is April 2025 to
//! March 2026, and its first quarter is April–June. Calendar quarters and financial quarters hold
//! the same three months (January–March is calendar Q1 and financial Q4), so one [`Quarter`]
//! serves both; only its labels differ.

use chrono::{Datelike, NaiveDate};
use std::fmt;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    year: i32,
    /// 1–12.
    month: u32,
}

const MONTH_ABBR: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl YearMonth {
    /// `None` unless `month` is 1–12.
    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        (1..=12)
            .contains(&month)
            .then_some(YearMonth { year, month })
    }

    /// The month a date falls in.
    pub fn of(date: NaiveDate) -> YearMonth {
        YearMonth {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    /// The last day of the month.
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("a day before")
    }

    pub fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            YearMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// Every month from `first` to `last` inclusive (empty if `last` is earlier).
    pub fn range(first: YearMonth, last: YearMonth) -> Vec<YearMonth> {
        let mut out = Vec::new();
        let mut m = first;
        while m <= last {
            out.push(m);
            m = m.next();
        }
        out
    }

    /// The quarter the month is in.
    pub fn quarter(self) -> Quarter {
        Quarter {
            year: self.year,
            q: (self.month - 1) / 3 + 1,
        }
    }

    /// The UK financial year the month is in (April to March).
    pub fn financial_year(self) -> FinancialYear {
        FinancialYear::of(self.first_day())
    }

    /// `Mar 2025`.
    pub fn label(self) -> String {
        format!("{} {}", MONTH_ABBR[self.month as usize - 1], self.year)
    }
}

/// `2025-03`, the key in tables.
impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A quarter of three months: calendar quarter `q` (1–4) of `year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    year: i32,
    q: u32,
}

impl Quarter {
    pub fn first_month(self) -> YearMonth {
        YearMonth {
            year: self.year,
            month: 3 * (self.q - 1) + 1,
        }
    }

    pub fn months(self) -> [YearMonth; 3] {
        let m = self.first_month();
        [m, m.next(), m.next().next()]
    }

    pub fn calendar_year(self) -> i32 {
        self.year
    }

    /// 1–4, January to March first.
    pub fn calendar_quarter(self) -> u32 {
        self.q
    }

    /// The financial year the quarter is in.
    pub fn financial_year(self) -> FinancialYear {
        self.first_month().financial_year()
    }

    /// 1–4, April to June first.
    pub fn financial_quarter(self) -> u32 {
        (self.q + 2) % 4 + 1
    }

    /// `Jan-Mar 2025`.
    pub fn label(self) -> String {
        let [a, _, c] = self.months();
        format!(
            "{}-{} {}",
            MONTH_ABBR[a.month as usize - 1],
            MONTH_ABBR[c.month as usize - 1],
            self.year
        )
    }
}

/// `2025-Q1`, the calendar key in tables.
impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.q)
    }
}

/// A UK financial year, named by the calendar year it starts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FinancialYear {
    start_year: i32,
}

impl FinancialYear {
    pub fn of(date: NaiveDate) -> FinancialYear {
        FinancialYear {
            start_year: if date.month() >= 4 {
                date.year()
            } else {
                date.year() - 1
            },
        }
    }

    pub fn start_year(self) -> i32 {
        self.start_year
    }
}

/// `2025/26`.
impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{:02}",
            self.start_year,
            (self.start_year + 1).rem_euclid(100)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).unwrap()
    }

    #[test]
    fn months_step_across_years() {
        assert_eq!(
            YearMonth::range(ym(2025, 11), ym(2026, 2))
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["2025-11", "2025-12", "2026-01", "2026-02"]
        );
        assert!(YearMonth::range(ym(2026, 2), ym(2025, 11)).is_empty());
        assert_eq!(
            ym(2024, 2).last_day(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        assert_eq!(ym(2025, 3).label(), "Mar 2025");
        assert!(YearMonth::new(2025, 13).is_none());
    }

    #[test]
    fn quarters_are_calendar_keyed_with_financial_labels() {
        // January-March 2025: calendar Q1 of 2025, financial Q4 of 2024/25.
        let q = ym(2025, 3).quarter();
        assert_eq!(q.to_string(), "2025-Q1");
        assert_eq!(
            (q.financial_year().to_string(), q.financial_quarter()),
            ("2024/25".into(), 4)
        );
        assert_eq!(q.label(), "Jan-Mar 2025");
        // April-June: financial Q1.
        let q = ym(2025, 4).quarter();
        assert_eq!((q.calendar_quarter(), q.financial_quarter()), (2, 1));
        assert_eq!(q.financial_year().to_string(), "2025/26");
        assert_eq!(ym(2025, 10).quarter().financial_quarter(), 3);
        assert_eq!(ym(2025, 12).quarter().financial_quarter(), 3);
        assert_eq!(ym(2099, 12).financial_year().to_string(), "2099/00");
    }

    #[test]
    fn financial_years_start_in_april() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(FinancialYear::of(d(2025, 3, 31)).to_string(), "2024/25");
        assert_eq!(FinancialYear::of(d(2025, 4, 1)).to_string(), "2025/26");
        assert_eq!(FinancialYear::of(d(2025, 10, 15)).start_year(), 2025);
    }
}
