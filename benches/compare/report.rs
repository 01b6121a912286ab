//! The result table: one line per figure, with the ratio of oxtls to each
//! peer and of each client to the figure's floor.

/// What a row measures, which says which way is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Client CPU time per handshake: lower is better.
    Micros,
    /// Throughput of client CPU time: higher is better.
    MegabytesPerSec,
    Bytes,
    Blocks,
    Count,
}

impl Unit {
    fn label(self) -> &'static str {
        match self {
            Unit::Micros => "µs",
            Unit::MegabytesPerSec => "MB/s",
            Unit::Bytes => "bytes",
            Unit::Blocks => "blocks",
            Unit::Count => "allocs",
        }
    }

    fn format(self, value: f64) -> String {
        match self {
            Unit::Micros => format!("{value:.1}"),
            Unit::MegabytesPerSec => format!("{value:.0}"),
            Unit::Blocks => format!("{value:.1}"),
            Unit::Bytes => format!("{value:.0}"),
            Unit::Count if value.fract() != 0.0 && value < 10.0 => format!("{value:.2}"),
            Unit::Count => format!("{value:.0}"),
        }
    }
}

pub struct Row {
    pub figure: String,
    pub unit: Unit,
    pub oxtls: Option<f64>,
    pub rustls: Option<f64>,
    pub openssl: Option<f64>,
    pub floor: Option<f64>,
    /// The samples behind the values, when they were taken side by side
    /// (oxtls, rustls, OpenSSL, floor): ratios are then the medians of
    /// the per-sample ratios, which a slow spell of the shared machine
    /// moves less than the ratio of two medians.
    samples: [Option<Vec<f64>>; 4],
}

impl Row {
    pub fn new(figure: impl Into<String>, unit: Unit) -> Row {
        Row {
            figure: figure.into(),
            unit,
            oxtls: None,
            rustls: None,
            openssl: None,
            floor: None,
            samples: [None, None, None, None],
        }
    }

    /// Values from interleaved samples (oxtls, rustls, OpenSSL, floor;
    /// `None` where a column has none): each value is its samples'
    /// median, each ratio the median of the samples' ratios.
    pub fn sampled(mut self, samples: [Option<&[f64]>; 4]) -> Row {
        let median = |s: Option<&[f64]>| s.map(|s| crate::median(s.to_vec()));
        [self.oxtls, self.rustls, self.openssl, self.floor] = samples.map(median);
        self.samples = samples.map(|s| s.map(<[f64]>::to_vec));
        self
    }

    /// The ratio of columns `a` and `b`: paired if both were sampled.
    fn ratio(&self, a: usize, b: usize) -> Option<f64> {
        let values = [self.oxtls, self.rustls, self.openssl, self.floor];
        match (&self.samples[a], &self.samples[b]) {
            (Some(x), Some(y)) if x.len() == y.len() && !x.is_empty() => {
                Some(crate::median(x.iter().zip(y).map(|(x, y)| x / y).collect()))
            }
            _ => match (values[a], values[b]) {
                (Some(x), Some(y)) if y != 0.0 => Some(x / y),
                _ => None,
            },
        }
    }

    /// The three clients' values, in order oxtls, rustls, OpenSSL.
    pub fn clients(mut self, values: [Option<f64>; 3]) -> Row {
        [self.oxtls, self.rustls, self.openssl] = values;
        self
    }

    pub fn floor(mut self, floor: f64) -> Row {
        self.floor = Some(floor);
        self
    }

    fn cells(&self) -> Vec<String> {
        let value = |v: Option<f64>| v.map_or("-".to_string(), |v| self.unit.format(v));
        let ratio = |a: usize, b: usize| {
            self.ratio(a, b)
                .map_or("-".to_string(), |r| format!("{r:.2}×"))
        };
        vec![
            self.figure.clone(),
            self.unit.label().to_string(),
            value(self.oxtls),
            value(self.rustls),
            value(self.openssl),
            value(self.floor),
            ratio(0, 1),
            ratio(0, 2),
            ratio(0, 3),
            ratio(1, 3),
            ratio(2, 3),
        ]
    }
}

const HEADINGS: [&str; 11] = [
    "figure",
    "unit",
    "oxtls",
    "rustls",
    "openssl",
    "floor",
    "ox/rustls",
    "ox/openssl",
    "ox/floor",
    "rustls/floor",
    "openssl/floor",
];

/// Prints the rows as aligned text, or as a Markdown table.
pub fn print(rows: &[Row], markdown: bool) {
    let cells: Vec<Vec<String>> = rows.iter().map(Row::cells).collect();
    if markdown {
        println!("| {} |", HEADINGS.join(" | "));
        let rule: Vec<&str> = HEADINGS
            .iter()
            .enumerate()
            .map(|(i, _)| if i < 2 { "---" } else { "---:" })
            .collect();
        println!("| {} |", rule.join(" | "));
        for row in &cells {
            println!("| {} |", row.join(" | "));
        }
        return;
    }
    let widths: Vec<usize> = (0..HEADINGS.len())
        .map(|i| {
            cells
                .iter()
                .map(|row| row[i].chars().count())
                .chain([HEADINGS[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |row: &[String]| {
        let mut out = String::new();
        for (i, cell) in row.iter().enumerate() {
            let pad = widths[i] - cell.chars().count();
            if i == 0 {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str("  ");
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
        }
        out
    };
    let headings: Vec<String> = HEADINGS.iter().map(|h| h.to_string()).collect();
    println!("{}", line(&headings));
    for row in &cells {
        println!("{}", line(row));
    }
}
