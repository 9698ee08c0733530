//! The local time a take starts, as its files' names carry it.

/// Now, in local time, as `2026-12-05_21-04-33` (sorts as it reads; no colons, which some
/// file systems and tools refuse).
pub fn now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as libc::time_t;
    // SAFETY: `tm` is plain data; localtime_r fills it from `seconds` and touches nothing else.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        if libc::localtime_r(&seconds, &mut tm).is_null() {
            libc::gmtime_r(&seconds, &mut tm);
        }
        tm
    };
    format!(
        "{:04}-{:02}-{:02}_{:02}-{:02}-{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_stamp_is_a_date_and_a_time() {
        let stamp = super::now();
        assert_eq!(stamp.len(), 19, "{stamp}");
        let digits: String = stamp.chars().filter(char::is_ascii_digit).collect();
        assert_eq!(digits.len(), 14, "{stamp}");
        assert!(stamp.starts_with("20"), "{stamp}");
    }
}
