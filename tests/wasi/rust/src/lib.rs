//! Tests of the Rust standard library on WASI, run by `kite run`:
//! `kite run --dir WORK::/work --env KITE_RUST=1 rust_tests.wasm`.

/// A word count, so that the crate has something to test.
pub fn words(text: &str) -> usize {
    text.split_whitespace().count()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::fs;
    use std::io::{Read, Seek, SeekFrom, Write};
    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

    #[test]
    fn counts_words() {
        assert_eq!(super::words("a quick  brown\tfox\n"), 4);
    }

    #[test]
    fn args_and_environment() {
        let args: Vec<String> = std::env::args().collect();
        assert!(args[0].ends_with("rust_tests.wasm"), "argv[0] = {}", args[0]);
        assert_eq!(std::env::var("KITE_RUST").as_deref(), Ok("1"));
        assert!(std::env::var("HOME").is_err(), "the host environment is not passed");
        if std::env::var("KITE_RUST_FAIL").is_ok() {
            panic!("failing on request");
        }
    }

    #[test]
    fn files_and_directories() {
        let dir = "/work/rust";
        fs::create_dir_all(format!("{dir}/a/b")).unwrap();
        let path = format!("{dir}/a/b/data.txt");
        fs::write(&path, b"0123456789").unwrap();
        let mut f = fs::OpenOptions::new().read(true).write(true).open(&path).unwrap();
        f.seek(SeekFrom::Start(4)).unwrap();
        f.write_all(b"xy").unwrap();
        f.seek(SeekFrom::Start(0)).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        assert_eq!(s, "0123xy6789");
        assert_eq!(f.metadata().unwrap().len(), 10);
        f.set_len(3).unwrap();
        drop(f);
        assert_eq!(fs::read_to_string(&path).unwrap(), "012");
        fs::rename(&path, format!("{dir}/moved.txt")).unwrap();
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["a", "moved.txt"]);
        let err = fs::read("/work/rust/none").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
        assert!(fs::read("/etc/passwd").is_err(), "no access outside the pre-opens");
        fs::remove_dir_all(dir).unwrap();
        assert!(!std::path::Path::new(dir).exists());
    }

    #[test]
    fn time_and_randomness() {
        let start = Instant::now();
        std::thread::sleep(Duration::from_millis(20));
        assert!(start.elapsed() >= Duration::from_millis(20));
        let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        assert!(since.as_secs() > 1_600_000_000);
        // RandomState seeds from random_get.
        let mut m = HashMap::new();
        m.insert("k", 1);
        assert_eq!(m["k"], 1);
    }

    #[test]
    #[ignore]
    fn ignored() {}
}
