//! The one check for everything that becomes part of a host name or a request path: region ids
//! and project names (one DNS label), and the ids of instances, certificates and CAs (one safe
//! path segment). Whatever their source (the profiles file, a form, a CLI argument, a cloud's
//! answer), a value that fails is refused before anything is sent, so no input can change which
//! host is called or which path is signed and sent.

use super::CloudError;

/// Longest id accepted in a path (UUIDs and the clouds' ids are far shorter).
const MAX_SEGMENT: usize = 128;

/// Whether `region` is a region id: one DNS label of lowercase letters, digits and hyphens,
/// 1 to 63 long, neither starting nor ending with a hyphen (`eu-de`, `ap-southeast-3`).
pub fn is_region(region: &str) -> bool {
    (1..=63).contains(&region.len())
        && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-')
}

/// A region id, or why it is none.
pub fn region(region: &str) -> Result<&str, CloudError> {
    if is_region(region) {
        Ok(region)
    } else {
        Err(CloudError::NotSent(format!(
            "{:?} is not a region id: use lowercase letters, digits and '-' (e.g. eu-de); region ids become part \
             of host names",
            shown(region)
        )))
    }
}

/// Whether `segment` is safe as one path segment: letters, digits, `-`, `_`, `.` and `~` only,
/// not `.` or `..`, at most 128 long. No `/`, `?`, `#`, `%`, space or control character can slip in.
pub fn is_segment(segment: &str) -> bool {
    (1..=MAX_SEGMENT).contains(&segment.len())
        && segment != "."
        && segment != ".."
        && segment.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
}

/// An id that goes into a path, or why it cannot.
pub fn id<'a>(what: &str, value: &'a str) -> Result<&'a str, CloudError> {
    if is_segment(value) {
        Ok(value)
    } else {
        Err(CloudError::NotSent(format!(
            "the {what} {:?} is not a safe id (letters, digits, '-', '_', '.', '~'; not '.' or '..'); nothing was sent",
            shown(value)
        )))
    }
}

/// Checks every segment of a request path (`/v2/{project}/instances/{id}/ssl`): the last line of
/// defence for ids from any source, before a request is signed.
pub fn path(path: &str) -> Result<(), CloudError> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(CloudError::NotSent(format!("request path {:?} does not start with '/'", shown(path))));
    };
    for segment in rest.split('/') {
        id("path segment", segment)?;
    }
    Ok(())
}

/// A value as an error message shows it: control characters escaped, at most 80 characters.
fn shown(value: &str) -> String {
    value.chars().take(80).flat_map(char::escape_debug).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_dns_labels() {
        for ok in ["eu-de", "ap-southeast-3", "eu-west-101", "a"] {
            assert!(is_region(ok), "{ok}");
        }
        for bad in ["", "EU-DE", "eu_de", "-eu", "eu-", "attacker.example#", "eu de", "eu/de", &"a".repeat(64)] {
            assert!(!is_region(bad), "{bad}");
        }
    }

    #[test]
    fn ids_are_single_safe_segments() {
        for ok in ["3c49a5c4-4bd5-4a4e-a7c5-0d8a3a8c1f22", "abc_DEF.1~x", "..."] {
            assert!(is_segment(ok), "{ok}");
        }
        for bad in ["", ".", "..", "a/b", "a?b", "a#b", "%2e%2e", "a b", "a\u{7}", "é"] {
            assert!(!is_segment(bad), "{bad}");
        }
        assert!(path("/v2/p1/instances/i-1/ssl").is_ok());
        assert!(path("/v2/p1/instances/../ssl").is_err());
        assert!(path("/v2/p1//ssl").is_err());
    }
}
