//! Tests of the shim's flag parsing.

use super::*;

fn args(list: &[&str]) -> Vec<OsString> {
    list.iter().map(OsString::from).collect()
}

#[test]
fn table_is_sorted_and_unique() {
    for pair in FLAGS.windows(2) {
        assert!(
            pair[0].name < pair[1].name,
            "{} before {}",
            pair[0].name,
            pair[1].name
        );
    }
    for flag in FLAGS {
        assert!(flag.name.starts_with('-'));
        assert!(std::ptr::eq(find_flag(flag.name).unwrap(), flag));
    }
}

#[test]
fn connection_flags() {
    let a = parse_args(&args(&["-port", "4433", "-shim-id", "17", "-ipv6"])).unwrap();
    assert_eq!(a.initial.port, 4433);
    assert_eq!(a.initial.shim_id, 17);
    assert!(a.initial.ipv6);
    assert!(a.initial.unsupported.is_empty());
}

#[test]
fn unprefixed_flags_apply_to_every_connection() {
    let a = parse_args(&args(&[
        "-host-name",
        "example.com",
        "-curves",
        "29",
        "-curves",
        "23",
    ]))
    .unwrap();
    for o in [&a.initial, &a.resume, &a.retry] {
        assert_eq!(o.host_name.as_deref(), Some("example.com"));
        assert_eq!(o.curves, vec![29, 23]);
    }
}

#[test]
fn prefixed_flags_apply_to_one_connection() {
    let a = parse_args(&args(&[
        "-on-initial-expect-alpn",
        "foo",
        "-on-resume-expect-alpn",
        "bar",
        "-on-retry-max-version",
        "771",
        "-on-shim-expect-version",
        "772",
        "-on-handshaker-expect-version",
        "771",
    ]))
    .unwrap();
    assert_eq!(a.initial.expect_alpn, b"foo");
    assert_eq!(a.resume.expect_alpn, b"bar");
    assert!(a.retry.expect_alpn.is_empty());
    assert_eq!(a.retry.max_version, Some(0x0303));
    assert_eq!(a.initial.max_version, None);
    // -on-shim- applies here, to all connections; -on-handshaker- not.
    assert_eq!(a.initial.expect_version, Some(0x0304));
    assert_eq!(a.resume.expect_version, Some(0x0304));
}

#[test]
fn values_are_bytes() {
    // The runner passes ALPN lists in wire form, with length bytes.
    let a = parse_args(&args(&["-advertise-alpn", "\x03foo\x03bar"])).unwrap();
    assert_eq!(
        a.initial.advertise_alpn.as_deref(),
        Some(&b"\x03foo\x03bar"[..])
    );
}

#[test]
fn defaults_follow_test_config() {
    let a = parse_args(&[]).unwrap();
    assert_eq!(a.initial.shim_initial_write, b"hello");
    assert_eq!(a.initial.repeat_shim_initial_write, 1);
    assert_eq!(a.initial.key_shares, None);
}

#[test]
fn key_shares_accumulate() {
    let a = parse_args(&args(&["-key-shares", "29", "-key-shares", "23"])).unwrap();
    assert_eq!(a.initial.key_shares, Some(vec![29, 23]));
}

#[test]
fn unsupported_flags_are_recorded_with_a_reason() {
    let a = parse_args(&args(&[
        "-on-resume-expect-early-data-reason",
        "peer_declined",
        "-psk",
        "secret",
    ]))
    .unwrap();
    assert_eq!(a.initial.unsupported.len(), 1);
    assert_eq!(a.initial.unsupported[0].0, "-psk");
    assert_eq!(a.resume.unsupported.len(), 2);
    assert!(a.resume.unsupported.iter().all(|(_, why)| !why.is_empty()));
}

#[test]
fn ignored_flags_change_nothing() {
    let a = parse_args(&args(&["-trust-cert", "/tmp/x.pem", "-implicit-handshake"])).unwrap();
    assert_eq!(a, Args::default());
}

#[test]
fn unknown_flags_and_bad_values_are_errors() {
    assert_eq!(
        parse_args(&args(&["-frobnicate"])),
        Err(ParseError::UnknownFlag("-frobnicate".into()))
    );
    assert_eq!(
        parse_args(&args(&["-on-resume-frobnicate"])),
        Err(ParseError::UnknownFlag("-frobnicate".into()))
    );
    assert!(matches!(
        parse_args(&args(&["-port"])),
        Err(ParseError::BadValue(_))
    ));
    assert!(matches!(
        parse_args(&args(&["-port", "-1"])),
        Err(ParseError::BadValue(_))
    ));
    assert!(matches!(
        parse_args(&args(&["-port", "70000"])),
        Err(ParseError::BadValue(_))
    ));
    assert!(matches!(
        parse_args(&args(&["-curves", "x25519"])),
        Err(ParseError::BadValue(_))
    ));
}

#[test]
fn prefix_needs_a_dash_after_it() {
    // "-on-resumefoo" is not "-on-resume" + "-foo".
    assert!(matches!(
        parse_args(&args(&["-on-resumefoo"])),
        Err(ParseError::UnknownFlag(_))
    ));
}

#[test]
fn resumption_flags() {
    let a = parse_args(&args(&[
        "-resume-count",
        "2",
        "-expect-session-miss",
        "-resumption-delay",
        "10",
        "-reverify-on-resume",
        "-no-ticket",
        "-expect-ticket-renewal",
        "-on-initial-expect-no-session",
        "-on-resume-expect-no-hrr",
        "-expect-hrr",
    ]))
    .unwrap();
    assert_eq!(a.initial.resume_count, 2);
    assert_eq!(a.resume.resumption_delay, 10);
    for o in [&a.initial, &a.resume, &a.retry] {
        assert!(o.expect_session_miss && o.reverify_on_resume && o.no_ticket);
        assert!(o.expect_ticket_renewal && o.expect_hrr);
        assert!(o.unsupported.is_empty());
    }
    assert!(a.initial.expect_no_session && !a.resume.expect_no_session);
    assert!(a.resume.expect_no_hrr && !a.initial.expect_no_hrr);
}

#[test]
fn early_data_flags() {
    // What the runner passes for a client 0-RTT test (runner.go).
    let a = parse_args(&args(&[
        "-on-resume-expect-accept-early-data",
        "-enable-early-data",
        "-expect-ticket-supports-early-data",
        "-on-resume-shim-writes-first",
        "-on-resume-expect-reject-early-data",
        "-on-resume-expect-no-offer-early-data",
        "-on-retry-expect-no-session",
    ]))
    .unwrap();
    for o in [&a.initial, &a.resume, &a.retry] {
        assert!(o.enable_early_data && o.expect_ticket_supports_early_data);
        assert!(o.unsupported.is_empty());
    }
    assert!(a.resume.expect_accept_early_data && !a.initial.expect_accept_early_data);
    assert!(a.resume.expect_reject_early_data && !a.retry.expect_reject_early_data);
    assert!(a.resume.expect_no_offer_early_data);
    assert!(a.resume.shim_writes_first && !a.retry.shim_writes_first);
    assert!(!a.initial.shim_writes_first);
    assert!(a.retry.expect_no_session && !a.resume.expect_no_session);
}

#[test]
fn flags_oxtls_cannot_honour_stay_unsupported() {
    for flag in [
        "-expect-extended-master-secret",
        "-expect-secure-renegotiation",
        "-expect-no-secure-renegotiation",
        "-renegotiate-freely",
        "-renegotiate-once",
        "-expect-resumable-across-names",
    ] {
        let a = parse_args(&args(&[flag])).unwrap();
        assert_eq!(a.initial.unsupported.len(), 1, "{flag}");
        assert_eq!(a.initial.unsupported[0].0, flag);
    }
}

#[test]
fn expect_curve_id_is_checked_not_refused() {
    let a = parse_args(&args(&["-expect-curve-id", "29"])).unwrap();
    assert_eq!(a.initial.expect_curve_id, Some(29));
    assert!(a.initial.unsupported.is_empty());
}

#[test]
fn client_certificate_files_are_taken() {
    let a = parse_args(&args(&["-cert-file", "c.pem", "-key-file", "k.pem"])).unwrap();
    assert_eq!(a.initial.cert_file.as_deref(), Some("c.pem"));
    assert_eq!(a.initial.key_file.as_deref(), Some("k.pem"));
    assert!(a.initial.unsupported.is_empty());
}
