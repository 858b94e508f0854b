//! The reports of `cargo xtask matrix`: a Markdown table, CSV, and an SVG bar plot drawn
//! by hand (three panels: size, handshakes per second, bulk MB/s), so that no plotting
//! crate enters the build.

use std::fmt::Write as _;

use super::{Row, Size};

fn kib(b: u64) -> String {
    format!("{:.1}", b as f64 / 1024.0)
}

/// The Markdown report.
pub fn markdown(rows: &[Row], baseline: Size, quick: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# matrix feature profiles{}\n",
        if quick { " (--quick)" } else { "" }
    );
    let _ = writeln!(
        out,
        "Size: `matrix-size-ref` built with the `min-size` profile (opt-level z, LTO, \
         panic=abort, stripped; the compact SHA-256 rounds and AES of the RustCrypto crates \
         unless a `*-improve-perf-increase-codesize` feature asks for speed, paths \
         remapped: stable flags only), KiB. \"lib text\" is text minus the baseline binary with no \
         role compiled in ({} KiB text); \"lib .text\" is the same difference of the `.text` \
         section alone (code: no read-only data, unwind tables or relocations; the figure \
         issue 14 compares with MatrixSSL's library `.text`), in bytes. Speed: the same program in release mode, in memory, \
         both roles (TLS sessions through the buffer API; for a profile with `dtls`, a DTLS \
         1.0 client and server over a lossless datagram loop, each handshake with the \
         HelloVerifyRequest cookie round); bulk is client-to-server application data with \
         the suite shown (TLS: 16 KiB records; DTLS: one PMTU-sized record per datagram); \
         session bytes are what an established session holds on the heap by its own account \
         (`Session::memory_usage` / `DtlsSession::memory_usage`: now, and the most it held \
         during the handshake; everything the session owns, the scratch memory of a single \
         operation aside). Heap (counting allocator, dhat): bytes an idle established client and \
         server session hold after one message, and the peak heap of one full in-memory \
         handshake with both sessions alive (contexts and keys, shared by all sessions, not \
         counted).\n",
        kib(baseline.text)
    );
    let _ = writeln!(
        out,
        "| profile | status | text | data | bss | lib text | lib .text | full hs/s | resumed hs/s | bulk MB/s | suite | session bytes | session peak | heap idle client | heap idle server | handshake peak heap | note |"
    );
    let _ = writeln!(
        out,
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---|"
    );
    for r in rows {
        let (t, d, b) = r
            .size
            .map(|s| (kib(s.text), kib(s.data), kib(s.bss)))
            .unwrap_or_else(|| ("-".into(), "-".into(), "-".into()));
        let lib = r.library_text.map(kib).unwrap_or_else(|| "-".into());
        let code = r
            .library_code
            .map(|n| n.to_string())
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(
            out,
            "| {} | {} | {t} | {d} | {b} | {lib} | {code} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            r.status,
            r.speed_text("full_hs_per_s"),
            r.speed_text("resumed_hs_per_s"),
            r.speed_text("bulk_mb_per_s"),
            r.speed_text("suite"),
            r.speed_text("session_idle_bytes"),
            r.speed_text("session_peak_bytes"),
            r.speed_text("heap_client_idle_bytes"),
            r.speed_text("heap_server_idle_bytes"),
            r.speed_text("heap_handshake_peak_bytes"),
            r.note.replace('|', "/").replace('\n', " ")
        );
    }
    let _ = writeln!(out);
    for r in rows {
        let _ = writeln!(out, "- **{}**: {}", r.name, r.about);
    }
    let _ = writeln!(out);
    out
}

/// The CSV report (sizes in bytes).
pub fn csv(rows: &[Row]) -> String {
    let mut out = String::from(
        "profile,status,text,data,bss,library_text,library_code,full_hs_per_s,resumed_hs_per_s,bulk_mb_per_s,bulk_suite,session_idle_bytes,session_peak_bytes,heap_client_idle_bytes,heap_server_idle_bytes,heap_handshake_peak_bytes,note\n",
    );
    for r in rows {
        let num = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
        let sp = |k: &str| {
            r.speed
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},\"{}\"",
            r.name,
            r.status,
            num(r.size.map(|s| s.text)),
            num(r.size.map(|s| s.data)),
            num(r.size.map(|s| s.bss)),
            num(r.library_text),
            num(r.library_code),
            sp("full_hs_per_s"),
            sp("resumed_hs_per_s"),
            sp("bulk_mb_per_s"),
            sp("suite"),
            sp("session_idle_bytes"),
            sp("session_peak_bytes"),
            sp("heap_client_idle_bytes"),
            sp("heap_server_idle_bytes"),
            sp("heap_handshake_peak_bytes"),
            r.note.replace('"', "'").replace('\n', " ")
        );
    }
    out
}

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One panel: a title and a horizontal bar per row (`None`: no value, the status is
/// written instead).
fn panel(out: &mut String, y0: f64, title: &str, rows: &[Row], values: &[Option<f64>]) -> f64 {
    const LABEL: f64 = 140.0;
    const WIDTH: f64 = 420.0;
    const BAR: f64 = 18.0;
    let max = values.iter().flatten().fold(0.0f64, |m, v| m.max(*v));
    let _ = writeln!(
        out,
        r#"<text x="10" y="{:.0}" font-weight="bold">{}</text>"#,
        y0 + 16.0,
        esc(title)
    );
    let mut y = y0 + 26.0;
    for (r, v) in rows.iter().zip(values) {
        let _ = writeln!(
            out,
            r#"<text x="{:.0}" y="{:.0}" text-anchor="end">{}</text>"#,
            LABEL - 6.0,
            y + 13.0,
            esc(&r.name)
        );
        match v {
            Some(v) => {
                let w = if max > 0.0 { v / max * WIDTH } else { 0.0 };
                let _ = writeln!(
                    out,
                    r##"<rect x="{LABEL:.0}" y="{y:.0}" width="{w:.1}" height="{BAR:.0}" fill="#4a7ebb"/>"##
                );
                let _ = writeln!(
                    out,
                    r#"<text x="{:.1}" y="{:.0}">{v:.1}</text>"#,
                    LABEL + w + 4.0,
                    y + 13.0
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    r##"<text x="{LABEL:.0}" y="{:.0}" fill="#888">{}</text>"##,
                    y + 13.0,
                    esc(&r.status)
                );
            }
        }
        y += BAR + 4.0;
    }
    y + 10.0
}

/// The SVG plot: size (text+data KiB), full handshakes/s and bulk MB/s per profile.
pub fn svg(rows: &[Row]) -> String {
    let mut body = String::new();
    let sizes: Vec<Option<f64>> = rows
        .iter()
        .map(|r| r.size.map(|s| (s.text + s.data) as f64 / 1024.0))
        .collect();
    let full: Vec<Option<f64>> = rows
        .iter()
        .map(|r| r.speed_value("full_hs_per_s"))
        .collect();
    let resumed: Vec<Option<f64>> = rows
        .iter()
        .map(|r| r.speed_value("resumed_hs_per_s"))
        .collect();
    let bulk: Vec<Option<f64>> = rows
        .iter()
        .map(|r| r.speed_value("bulk_mb_per_s"))
        .collect();
    let mut y = 0.0;
    y = panel(
        &mut body,
        y,
        "size: text + data (KiB, min-size build)",
        rows,
        &sizes,
    );
    y = panel(
        &mut body,
        y,
        "full handshakes per second (in memory)",
        rows,
        &full,
    );
    y = panel(
        &mut body,
        y,
        "resumed handshakes per second (in memory)",
        rows,
        &resumed,
    );
    y = panel(&mut body, y, "bulk MB/s (the profile's suite)", rows, &bulk);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"{y:.0}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{body}</svg>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> Row {
        Row {
            name: "psk-only".into(),
            about: "PSK".into(),
            status: "ok".into(),
            size: Some(Size {
                text: 2048,
                data: 1024,
                bss: 0,
            }),
            library_text: Some(1024),
            library_code: Some(700),
            speed: [
                ("full_hs_per_s", "12499.9"),
                ("heap_client_idle_bytes", "6435"),
                ("heap_server_idle_bytes", "6137"),
                ("heap_handshake_peak_bytes", "12773"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            note: String::new(),
        }
    }

    #[test]
    fn the_heap_figures_are_columns_of_both_reports() {
        let md = markdown(&[row()], Size::default(), false);
        assert!(md.contains("| heap idle client | heap idle server | handshake peak heap |"));
        assert!(md.contains("| 6435 | 6137 | 12773 |"), "{md}");
        let csv = csv(&[row()]);
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let values: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert_eq!(header.len(), values.len(), "{csv}");
        let at = |k: &str| values[header.iter().position(|h| *h == k).unwrap()];
        assert_eq!(at("heap_client_idle_bytes"), "6435");
        assert_eq!(at("heap_server_idle_bytes"), "6137");
        assert_eq!(at("heap_handshake_peak_bytes"), "12773");
        assert_eq!(at("resumed_hs_per_s"), "");
        assert_eq!(at("library_text"), "1024");
        assert_eq!(at("library_code"), "700");
        assert!(md.contains("| 1.0 | 700 |"), "{md}");
    }
}
