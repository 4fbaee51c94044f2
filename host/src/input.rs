//! Reading Keeper's payload line from stdin, bounded.

use payload::MAX_PAYLOAD_BYTES;
use std::io::BufRead;

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read stdin: {0}")]
    Io(#[from] std::io::Error),
    #[error(
        "the payload line is longer than {MAX_PAYLOAD_BYTES} bytes: refusing to read it (Keeper's payloads are a few KiB)"
    )]
    TooLarge,
    #[error("the payload is not text: Keeper pipes one base64 line to the script's stdin")]
    NotText,
}

/// The first line of `input` (without its line ending), at most [`MAX_PAYLOAD_BYTES`].
pub fn read_payload_line(input: impl BufRead) -> Result<String, InputError> {
    let mut line = Vec::new();
    input
        .take(MAX_PAYLOAD_BYTES as u64 + 2)
        .read_until(b'\n', &mut line)?;
    while line.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
        line.pop();
    }
    if line.len() > MAX_PAYLOAD_BYTES {
        return Err(InputError::TooLarge);
    }
    String::from_utf8(line).map_err(|_| InputError::NotText)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_only_the_first_line() {
        let line = read_payload_line(&b"abc=\r\nsecond\n"[..]).unwrap();
        assert_eq!(line, "abc=");
    }

    #[test]
    fn accepts_a_line_without_newline() {
        assert_eq!(read_payload_line(&b"abc"[..]).unwrap(), "abc");
    }

    #[test]
    fn refuses_an_oversized_line() {
        let big = vec![b'A'; MAX_PAYLOAD_BYTES + 1];
        assert!(matches!(
            read_payload_line(&big[..]),
            Err(InputError::TooLarge)
        ));
        let exact = vec![b'A'; MAX_PAYLOAD_BYTES];
        assert_eq!(
            read_payload_line(&exact[..]).unwrap().len(),
            MAX_PAYLOAD_BYTES
        );
    }

    #[test]
    fn refuses_binary_input() {
        assert!(matches!(
            read_payload_line(&[0xff, 0xfe][..]),
            Err(InputError::NotText)
        ));
    }
}
