//! Relative importance in linear regression: the Shapley decomposition of R² (Lindeman,
//! Merenda and Gold's LMG, as R's `relaimpo::calc.relimp(type = "lmg")`). Each driver's share
//! is its increase in R² when added to a model, averaged over every order in which the
//! drivers can enter; the shares add up to the full model's R². Exact over all 2^p subsets,
//! which is cheap for the dozen or so themes of a staff survey.
//!
//! Everything is computed from the correlation matrix, so an analysis of a million respondents
//! costs one pass over the data to build it.

/// Most drivers an exact decomposition takes (2^15 subsets).
pub const MAX_DRIVERS: usize = 15;

/// Means and the correlation matrix of columns (the outcome first, then the drivers).
#[derive(Debug, Clone, PartialEq)]
pub struct Correlations {
    pub n: usize,
    /// k × k, row-major.
    pub r: Vec<f64>,
    pub k: usize,
}

impl Correlations {
    /// From complete rows given column by column (every column the same length; counts
    /// gives each row's weight, e.g. how often a bootstrap draw picked it; `None` = once).
    /// `None` when a column has no variance or there are fewer than k + 1 rows.
    pub fn of(columns: &[&[f64]], counts: Option<&[u32]>) -> Option<Correlations> {
        let k = columns.len();
        let rows = columns.first().map_or(0, |c| c.len());
        let weight = |i: usize| counts.map_or(1.0, |c| f64::from(c[i]));
        let total: f64 = (0..rows).map(weight).sum();
        if total < (k + 1) as f64 {
            return None;
        }
        let means: Vec<f64> = columns
            .iter()
            .map(|c| {
                c.iter()
                    .enumerate()
                    .map(|(i, v)| weight(i) * v)
                    .sum::<f64>()
                    / total
            })
            .collect();
        let mut cov = vec![0.0; k * k];
        let mut centred = vec![0.0; k];
        for i in 0..rows {
            let w = weight(i);
            if w == 0.0 {
                continue;
            }
            for (a, c) in columns.iter().enumerate() {
                centred[a] = c[i] - means[a];
            }
            for a in 0..k {
                let wa = w * centred[a];
                for b in a..k {
                    cov[a * k + b] += wa * centred[b];
                }
            }
        }
        Correlations::from_covariance(k, total as usize, |a, b| cov[a * k + b], 0.0)
    }
}

impl Correlations {
    /// From a row-major matrix (`k` values a row: the outcome, then the drivers), over every
    /// row or over the rows `pick` names (a bootstrap draw: an index may repeat). A row's
    /// values sit together in memory, so a random draw costs one cache line a row.
    pub fn of_matrix(data: &[f64], k: usize, pick: Option<&[u32]>) -> Option<Correlations> {
        let rows = data.len() / k.max(1);
        let n = pick.map_or(rows, <[u32]>::len);
        if k == 0 || n < k + 1 {
            return None;
        }
        let row = |i: usize| -> &[f64] {
            let r = pick.map_or(i, |p| p[i] as usize);
            &data[r * k..(r + 1) * k]
        };
        let mut means = vec![0.0; k];
        for i in 0..n {
            for (m, v) in means.iter_mut().zip(row(i)) {
                *m += v;
            }
        }
        means.iter_mut().for_each(|m| *m /= n as f64);
        let mut cov = vec![0.0; k * k];
        let mut centred = vec![0.0; k];
        for i in 0..n {
            for ((c, v), m) in centred.iter_mut().zip(row(i)).zip(&means) {
                *c = v - m;
            }
            for a in 0..k {
                let ca = centred[a];
                for b in a..k {
                    cov[a * k + b] += ca * centred[b];
                }
            }
        }
        Correlations::from_covariance(k, n, |a, b| cov[a * k + b], 0.0)
    }
}

/// Sums over some rows: count, Σx and Σxxᵀ (upper triangle, row-major k × k), from which a
/// correlation matrix follows. Blocks of rows summarised this way can be resampled instead of
/// the rows themselves.
#[derive(Debug, Clone, PartialEq)]
pub struct Moments {
    pub n: f64,
    pub sum: Vec<f64>,
    pub cross: Vec<f64>,
    pub k: usize,
}

impl Moments {
    pub fn new(k: usize) -> Moments {
        Moments {
            n: 0.0,
            sum: vec![0.0; k],
            cross: vec![0.0; k * k],
            k,
        }
    }

    pub fn push(&mut self, row: &[f64]) {
        let k = self.k;
        self.n += 1.0;
        for a in 0..k {
            self.sum[a] += row[a];
            for b in a..k {
                self.cross[a * k + b] += row[a] * row[b];
            }
        }
    }

    pub fn add(&mut self, other: &Moments) {
        self.n += other.n;
        for (s, o) in self.sum.iter_mut().zip(&other.sum) {
            *s += o;
        }
        for (s, o) in self.cross.iter_mut().zip(&other.cross) {
            *s += o;
        }
    }
}

impl Correlations {
    /// From summed moments (Σxxᵀ/n − x̄x̄ᵀ; fine for scores on 0–100).
    pub fn of_moments(m: &Moments) -> Option<Correlations> {
        let k = m.k;
        if m.n < (k + 1) as f64 {
            return None;
        }
        let mean: Vec<f64> = m.sum.iter().map(|s| s / m.n).collect();
        let cov = |a: usize, b: usize| m.cross[a * k + b] / m.n - mean[a] * mean[b];
        Correlations::from_covariance(k, m.n as usize, cov, 1e-12)
    }

    /// Correlations from covariances (or cross-products: only their ratios matter; the upper
    /// triangle is read); `None` when a variable's standard deviation is not above `min_sd`.
    fn from_covariance(
        k: usize,
        n: usize,
        cov: impl Fn(usize, usize) -> f64,
        min_sd: f64,
    ) -> Option<Correlations> {
        let sd: Vec<f64> = (0..k).map(|a| cov(a, a).max(0.0).sqrt()).collect();
        if sd.iter().any(|&s| s <= min_sd || !s.is_finite()) {
            return None;
        }
        let mut r = vec![0.0; k * k];
        for a in 0..k {
            for b in a..k {
                let v = if a == b {
                    1.0
                } else {
                    cov(a, b) / (sd[a] * sd[b])
                };
                r[a * k + b] = v;
                r[b * k + a] = v;
            }
        }
        Some(Correlations { n, r, k })
    }
}

/// Solve the symmetric positive definite system A x = b (Cholesky); `None` if A is singular.
fn solve_spd(a: &[f64], b: &[f64], m: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; m * m];
    for i in 0..m {
        for j in 0..=i {
            let mut s = a[i * m + j];
            for k in 0..j {
                s -= l[i * m + k] * l[j * m + k];
            }
            if i == j {
                if s <= 1e-12 {
                    return None;
                }
                l[i * m + i] = s.sqrt();
            } else {
                l[i * m + j] = s / l[j * m + j];
            }
        }
    }
    let mut y = vec![0.0; m];
    for i in 0..m {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * m + k] * y[k];
        }
        y[i] = s / l[i * m + i];
    }
    let mut x = vec![0.0; m];
    for i in (0..m).rev() {
        let mut s = y[i];
        for k in i + 1..m {
            s -= l[k * m + i] * x[k];
        }
        x[i] = s / l[i * m + i];
    }
    Some(x)
}

/// The standardised coefficients of the drivers in `subset` (indices 1.. of the matrix) and
/// the model's R².
fn fit(c: &Correlations, subset: &[usize]) -> Option<(Vec<f64>, f64)> {
    let m = subset.len();
    if m == 0 {
        return Some((Vec::new(), 0.0));
    }
    let mut a = vec![0.0; m * m];
    let mut b = vec![0.0; m];
    for (i, &p) in subset.iter().enumerate() {
        b[i] = c.r[p];
        for (j, &q) in subset.iter().enumerate() {
            a[i * m + j] = c.r[p * c.k + q];
        }
    }
    let beta = solve_spd(&a, &b, m)?;
    let r2 = beta.iter().zip(&b).map(|(x, y)| x * y).sum();
    Some((beta, r2))
}

/// One decomposition: the full model's R², each driver's LMG share (of the outcome's
/// variance; they add up to R²) and standardised coefficient.
#[derive(Debug, Clone, PartialEq)]
pub struct Decomposition {
    pub r2: f64,
    pub lmg: Vec<f64>,
    pub beta: Vec<f64>,
}

impl Decomposition {
    /// Each driver's share of R² (adding up to 1).
    pub fn shares(&self) -> Vec<f64> {
        self.lmg.iter().map(|v| v / self.r2).collect()
    }
}

/// LMG for the drivers (matrix columns 1..k) of the outcome (column 0). `None` when the
/// drivers are collinear or there are more than [`MAX_DRIVERS`].
pub fn lmg(c: &Correlations) -> Option<Decomposition> {
    let p = c.k.checked_sub(1)?;
    if p == 0 || p > MAX_DRIVERS {
        return None;
    }
    let subsets = 1usize << p;
    let mut r2 = vec![0.0; subsets];
    for (mask, slot) in r2.iter_mut().enumerate().skip(1) {
        let members: Vec<usize> = (0..p)
            .filter(|j| mask & (1 << j) != 0)
            .map(|j| j + 1)
            .collect();
        *slot = fit(c, &members)?.1;
    }
    // Shapley weights: |S|! (p − |S| − 1)! / p! for a subset S without the driver.
    let fact = |n: usize| (1..=n).map(|x| x as f64).product::<f64>();
    let weight: Vec<f64> = (0..p)
        .map(|s| fact(s) * fact(p - s - 1) / fact(p))
        .collect();
    let mut out = vec![0.0; p];
    for (j, share) in out.iter_mut().enumerate() {
        let bit = 1 << j;
        for mask in 0..subsets {
            if mask & bit == 0 {
                *share += weight[mask.count_ones() as usize] * (r2[mask | bit] - r2[mask]);
            }
        }
    }
    let all: Vec<usize> = (1..=p).collect();
    let (beta, full) = fit(c, &all)?;
    Some(Decomposition {
        r2: full,
        lmg: out,
        beta,
    })
}

/// The q-th quantile of sorted values, interpolating between order statistics (R's type 7).
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} vs {b}");
    }

    /// R's `swiss` data (47 Swiss provinces, 1888): Fertility, Agriculture, Examination,
    /// Education, Catholic, Infant.Mortality.
    const SWISS: &str = "80.2,17,15,12,9.96,22.2
83.1,45.1,6,9,84.84,22.2
92.5,39.7,5,5,93.4,20.2
85.8,36.5,12,7,33.77,20.3
76.9,43.5,17,15,5.16,20.6
76.1,35.3,9,7,90.57,26.6
83.8,70.2,16,7,92.85,23.6
92.4,67.8,14,8,97.16,24.9
82.4,53.3,12,7,97.67,21
82.9,45.2,16,13,91.38,24.4
87.1,64.5,14,6,98.61,24.5
64.1,62,21,12,8.52,16.5
66.9,67.5,14,7,2.27,19.1
68.9,60.7,19,12,4.43,22.7
61.7,69.3,22,5,2.82,18.7
68.3,72.6,18,2,24.2,21.2
71.7,34,17,8,3.3,20
55.7,19.4,26,28,12.11,20.2
54.3,15.2,31,20,2.15,10.8
65.1,73,19,9,2.84,20
65.5,59.8,22,10,5.23,18
65,55.1,14,3,4.52,22.4
56.6,50.9,22,12,15.14,16.7
57.4,54.1,20,6,4.2,15.3
72.5,71.2,12,1,2.4,21
74.2,58.1,14,8,5.23,23.8
72,63.5,6,3,2.56,18
60.5,60.8,16,10,7.72,16.3
58.3,26.8,25,19,18.46,20.9
65.4,49.5,15,8,6.1,22.5
75.5,85.9,3,2,99.71,15.1
69.3,84.9,7,6,99.68,19.8
77.3,89.7,5,2,100,18.3
70.5,78.2,12,6,98.96,19.4
79.4,64.9,7,3,98.22,20.2
65,75.9,9,9,99.06,17.8
92.2,84.6,3,3,99.46,16.3
79.3,63.1,13,13,96.83,18.1
70.4,38.4,26,12,5.62,20.3
65.7,7.7,29,11,13.79,20.5
72.7,16.7,22,13,11.22,18.9
64.4,17.6,35,32,16.92,23
77.6,37.6,15,7,4.97,20
67.6,18.7,25,7,8.65,19.5
35,1.2,37,53,42.34,18
44.7,46.6,16,29,50.43,18.2
42.8,27.7,22,29,58.33,19.3";

    fn swiss() -> Vec<Vec<f64>> {
        let mut cols = vec![Vec::new(); 6];
        for line in SWISS.lines() {
            for (c, v) in cols.iter_mut().zip(line.split(',')) {
                c.push(v.trim().parse().unwrap());
            }
        }
        cols
    }

    #[test]
    // The reference values are R's `print(x, digits = 18)`, kept verbatim.
    #[allow(clippy::excessive_precision)]
    fn reproduces_relaimpos_swiss_example() {
        // R 4.2.2, relaimpo 2.2-7, the example in ?calc.relimp:
        //   linmod <- lm(swiss); calc.relimp(linmod, type = "lmg", rela = TRUE)
        // R² = 0.70673500159272595; lmg (rela = FALSE, of the variance):
        //   Agriculture 0.057091220768091297, Examination 0.171173028900234114,
        //   Education 0.260134678624384941, Catholic 0.105570150373493737,
        //   Infant.Mortality 0.112765922926521905;
        // rela = TRUE (shares of R²): 0.080781651735697624, 0.242202563216017019,
        //   0.368079517836438164, 0.149377277389087376, 0.159558989822759817.
        // Standardised coefficients, coef(lm(Fertility ~ ., data = as.data.frame(scale(swiss)))):
        //   -0.31292128249992046, -0.16477822253934743, -0.67040078010607451,
        //   0.34760002814421892, 0.25113597629871059.
        let cols = swiss();
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let c = Correlations::of(&refs, None).unwrap();
        let d = lmg(&c).unwrap();
        close(d.r2, 0.70673500159272595, 1e-12);
        let raw = [
            0.057091220768091297,
            0.171173028900234114,
            0.260134678624384941,
            0.105570150373493737,
            0.112765922926521905,
        ];
        let rela = [
            0.080781651735697624,
            0.242202563216017019,
            0.368079517836438164,
            0.149377277389087376,
            0.159558989822759817,
        ];
        let beta = [
            -0.31292128249992046,
            -0.16477822253934743,
            -0.67040078010607451,
            0.34760002814421892,
            0.25113597629871059,
        ];
        for j in 0..5 {
            close(d.lmg[j], raw[j], 1e-12);
            close(d.shares()[j], rela[j], 1e-12);
            close(d.beta[j], beta[j], 1e-12);
        }
        close(d.lmg.iter().sum::<f64>(), d.r2, 1e-12);
    }

    #[test]
    fn one_driver_takes_all_of_r2_and_collinear_drivers_are_refused() {
        let y = [1.0, 2.0, 3.0, 5.0, 4.0];
        let x = [2.0, 1.0, 4.0, 5.0, 5.0];
        let c = Correlations::of(&[&y, &x], None).unwrap();
        let d = lmg(&c).unwrap();
        let r = c.r[1];
        close(d.r2, r * r, 1e-12);
        close(d.shares()[0], 1.0, 1e-12);
        // x2 = 2 x: no unique decomposition.
        let x2: Vec<f64> = x.iter().map(|v| 2.0 * v).collect();
        let c = Correlations::of(&[&y, &x, &x2], None).unwrap();
        assert_eq!(lmg(&c), None);
        // No variance in a column.
        assert_eq!(Correlations::of(&[&y, &[3.0; 5]], None), None);
    }

    #[test]
    fn counts_weight_rows_as_if_repeated() {
        let cols = swiss();
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let counts: Vec<u32> = (0..47).map(|i| (i % 3) as u32).collect();
        let weighted = Correlations::of(&refs, Some(&counts)).unwrap();
        let repeated: Vec<Vec<f64>> = cols
            .iter()
            .map(|c| {
                c.iter()
                    .zip(&counts)
                    .flat_map(|(v, &k)| std::iter::repeat_n(*v, k as usize))
                    .collect()
            })
            .collect();
        let refs: Vec<&[f64]> = repeated.iter().map(Vec::as_slice).collect();
        let plain = Correlations::of(&refs, None).unwrap();
        for (a, b) in weighted.r.iter().zip(&plain.r) {
            close(*a, *b, 1e-12);
        }
        assert_eq!(weighted.n, plain.n);
        // The same draw given as row indices into a row-major matrix.
        let cols = swiss();
        let matrix: Vec<f64> = (0..47)
            .flat_map(|i| cols.iter().map(move |c| c[i]))
            .collect();
        let rows: Vec<u32> = (0..47u32)
            .flat_map(|i| std::iter::repeat_n(i, (i % 3) as usize))
            .collect();
        let by_rows = Correlations::of_matrix(&matrix, 6, Some(&rows)).unwrap();
        for (a, b) in by_rows.r.iter().zip(&plain.r) {
            close(*a, *b, 1e-12);
        }
        let all = Correlations::of_matrix(&matrix, 6, None).unwrap();
        // And from moments summed block by block.
        let mut total = Moments::new(6);
        for block in matrix.chunks(6 * 10) {
            let mut m = Moments::new(6);
            block.chunks(6).for_each(|row| m.push(row));
            total.add(&m);
        }
        let by_moments = Correlations::of_moments(&total).unwrap();
        for (a, b) in by_moments.r.iter().zip(&all.r) {
            close(*a, *b, 1e-10);
        }
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let by_cols = Correlations::of(&refs, None).unwrap();
        for (a, b) in all.r.iter().zip(&by_cols.r) {
            close(*a, *b, 1e-12);
        }
    }

    #[test]
    fn quantiles_like_r_type_7() {
        // quantile(c(1, 2, 3, 4, 10), c(0.025, 0.5, 0.975)) = 1.1, 3.0, 9.4
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        close(quantile(&v, 0.025).unwrap(), 1.1, 1e-12);
        close(quantile(&v, 0.5).unwrap(), 3.0, 1e-12);
        close(quantile(&v, 0.975).unwrap(), 9.4, 1e-12);
        assert_eq!(quantile(&[], 0.5), None);
    }
}
