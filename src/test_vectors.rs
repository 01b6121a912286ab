//! Reads values out of the RFC 8448 example handshake traces, so tests can
//! compare against the document's bytes instead of copies of them.
//!
//! The trace is a sequence of steps (`{client}  derive secret "tls13 c hs
//! traffic":`), each followed by labelled hex values (`expanded (32
//! octets):  d7 c2 ...`) that wrap over several lines and across page
//! breaks.

const TRACE: &str = include_str!("../tests/vectors/rfc8448.txt");

fn is_page_furniture(line: &str) -> bool {
    line.starts_with("Thomson ") || line.starts_with("Internet-Draft ") || line.starts_with('\x0c')
}

fn hex_tokens(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for tok in s.split_whitespace() {
        if tok.len() != 2 {
            return None;
        }
        out.push(u8::from_str_radix(tok, 16).ok()?);
    }
    Some(out)
}

/// The value labelled `label` in the first step whose heading contains
/// `step`, in the section whose heading starts with `section` (such as
/// `"3. "`). Panics if absent: the trace is fixed, so a miss is a typo in
/// the test.
pub fn rfc8448(section: &str, step: &str, label: &str) -> Vec<u8> {
    rfc8448_nth(section, step, 0, label)
}

/// As [`rfc8448`], from the `nth` (counting from 0) step whose heading
/// contains `step`: a trace has several "send handshake record" steps.
pub fn rfc8448_nth(section: &str, step: &str, nth: usize, label: &str) -> Vec<u8> {
    static LINES: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let lines = LINES.get_or_init(|| TRACE.lines().filter(|l| !is_page_furniture(l)).collect());
    let start = lines
        .iter()
        .position(|l| l.starts_with(section))
        .unwrap_or_else(|| panic!("no section {section:?}"));
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()) && l.contains(".  "))
        .map_or(lines.len(), |p| start + 1 + p);
    let section = &lines[start..end];
    let step_at = section
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with('{') && l.contains(step))
        .nth(nth)
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("no step {step:?} #{nth}"));
    let prefix = format!("{label} (");
    let label_at = section[step_at + 1..]
        .iter()
        .take_while(|l| !l.trim_start().starts_with('{'))
        .position(|l| l.trim_start().starts_with(&prefix))
        .map(|p| step_at + 1 + p)
        .unwrap_or_else(|| panic!("no {label:?} in step {step:?}"));
    let first = section[label_at];
    let after = first.split_once("):").map(|x| x.1).unwrap_or("");
    let mut out = hex_tokens(after).unwrap_or_else(|| panic!("bad hex in {first:?}"));
    for line in &section[label_at + 1..] {
        let t = line.trim();
        if t.is_empty() {
            // A page break leaves blank lines in the middle of a value; a
            // value continues if the next non-blank line is pure hex.
            continue;
        }
        match hex_tokens(t) {
            Some(bytes) if !t.contains(':') => out.extend(bytes),
            _ => break,
        }
    }
    let declared: usize = first
        .split_once(" (")
        .and_then(|(_, r)| r.split_once(' '))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or(out.len());
    assert_eq!(out.len(), declared, "length of {label:?} in {step:?}");
    out
}

#[test]
fn reads_values_across_page_breaks() {
    let ch = rfc8448("3. ", "construct a ClientHello", "ClientHello");
    assert_eq!(ch.len(), 196);
    assert_eq!(&ch[..4], &[0x01, 0x00, 0x00, 0xc0]);
    let key = rfc8448("3. ", "create an ephemeral x25519 key pair", "private key");
    assert_eq!(key[0], 0x70);
    let pk = rfc8448("3. ", "{server}  create an ephemeral x25519", "private key");
    assert_eq!(pk[0], 0x5a);
}
