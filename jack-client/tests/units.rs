//! The shipped systemd units, checked by the real `systemd-analyze verify` where it exists.

use std::path::{Path, PathBuf};
use std::process::Command;

fn contrib(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../contrib")
        .join(path)
}

#[test]
fn the_shipped_units_pass_systemd_analyze_verify() {
    let have = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        eprintln!("skipped: systemd-analyze is not installed");
        return;
    }
    // Installed as docs/appliance.md says, with the binary where this build put it (verify
    // checks that every command a unit runs exists).
    let dir = std::env::temp_dir().join(format!("phonon-units-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let service = std::fs::read_to_string(contrib("systemd/phonon@.service")).unwrap();
    assert!(service.contains("ExecStart=/usr/local/bin/phonon live /etc/phonon/%i.ph"));
    let instance = dir.join("phonon@techno.service");
    std::fs::write(
        &instance,
        service.replace("/usr/local/bin/phonon", env!("CARGO_BIN_EXE_phonon")),
    )
    .unwrap();
    let server = dir.join("phonon-jackd.service");
    std::fs::copy(contrib("systemd/phonon-jackd.service"), &server).unwrap();
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .args([&instance, &server])
        .output()
        .expect("run systemd-analyze");
    // Unknown or misspelt keys are only warnings (exit 0): any output is a failure.
    let complaints = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && complaints.trim().is_empty(),
        "systemd-analyze verify: {complaints}"
    );
    for key in [
        "Type=notify",
        "WatchdogSec=",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "Restart=on-failure",
        "LimitRTPRIO=",
        "LimitMEMLOCK=",
        "Group=audio",
        "Requires=phonon-jackd.service",
        "After=phonon-jackd.service",
    ] {
        assert!(service.contains(key), "phonon@.service lacks {key}");
    }
    assert!(
        !service.contains("\nRestrictRealtime=yes"),
        "RestrictRealtime= would forbid SCHED_FIFO"
    );
}
