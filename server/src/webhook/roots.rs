//! The certificate authorities webhook TLS trusts: Mozilla's root store, compiled in, plus a
//! team's own from `serve --webhook-ca-file` (a self-hosted Mattermost or relay behind an
//! internal CA). Built once at start and shared by every connection.

use std::path::Path;
use std::sync::Arc;
use tokio_rustls::rustls::pki_types::pem::{self, PemObject};
use tokio_rustls::rustls::pki_types::CertificateDer;
use tokio_rustls::rustls::RootCertStore;

/// Why a CA file cannot be used; `serve` stops rather than run without the CAs it was given.
#[derive(Debug, thiserror::Error)]
pub enum CaFileError {
    #[error("cannot read it: {0}")]
    Read(#[source] std::io::Error),
    #[error("bad PEM: {0}")]
    Pem(#[source] pem::Error),
    #[error("no certificate in it (expected one or more PEM \"BEGIN CERTIFICATE\" blocks)")]
    Empty,
    #[error("certificate {0} in it is not a usable CA certificate: {1}")]
    Invalid(usize, #[source] tokio_rustls::rustls::Error),
}

/// Mozilla's roots alone.
pub fn mozilla() -> Arc<RootCertStore> {
    Arc::new(mozilla_store())
}

fn mozilla_store() -> RootCertStore {
    RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}

/// Mozilla's roots plus every certificate in the PEM file at `path`, and how many it added.
pub fn with_ca_file(path: &Path) -> Result<(Arc<RootCertStore>, usize), CaFileError> {
    let pem = std::fs::read(path).map_err(CaFileError::Read)?;
    with_ca_pem(&pem)
}

/// [`with_ca_file`] on the file's bytes. Other PEM blocks (a key) and text between blocks (a
/// bundle's comments) are skipped; each certificate must parse as a trust anchor.
pub fn with_ca_pem(pem: &[u8]) -> Result<(Arc<RootCertStore>, usize), CaFileError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(CaFileError::Pem)?;
    if certs.is_empty() {
        return Err(CaFileError::Empty);
    }
    let added = certs.len();
    let mut roots = mozilla_store();
    for (i, cert) in certs.into_iter().enumerate() {
        roots
            .add(cert)
            .map_err(|e| CaFileError::Invalid(i + 1, e))?;
    }
    Ok((Arc::new(roots), added))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

    /// A self-signed CA certificate named `name`, and its key, as PEM.
    fn ca(name: &str) -> (String, String) {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().unwrap();
        (params.self_signed(&key).unwrap().pem(), key.serialize_pem())
    }

    #[test]
    fn a_bundle_adds_each_certificate_to_mozillas_roots() {
        let ((first, key), (second, _)) = (ca("Team CA 1"), ca("Team CA 2"));
        let bundle = format!("# Team CAs\n{first}\n{key}\nIntermediate:\n{second}");
        let (roots, added) = with_ca_pem(bundle.as_bytes()).unwrap();
        assert_eq!(added, 2);
        assert_eq!(roots.len(), mozilla().len() + 2);
        assert!(mozilla().len() > 100);
    }

    #[test]
    fn a_file_without_a_usable_certificate_is_refused_saying_why() {
        let (cert, key) = ca("Team CA");
        for (pem, why) in [
            (String::new(), "no certificate in it"),
            (key, "no certificate in it"),
            ("not PEM at all\n".to_owned(), "no certificate in it"),
            (
                "-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n".to_owned(),
                "bad PEM: base64 decode error",
            ),
            (
                cert.replace("-----END CERTIFICATE-----", ""),
                "bad PEM: missing section end marker",
            ),
            (
                format!("{cert}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
                "certificate 2 in it is not a usable CA certificate",
            ),
        ] {
            let error = with_ca_pem(pem.as_bytes()).unwrap_err().to_string();
            assert!(error.starts_with(why), "{pem:?}: {error}");
        }
    }

    #[test]
    fn an_unreadable_file_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let error = with_ca_file(&dir.path().join("missing.pem")).unwrap_err();
        assert!(matches!(error, CaFileError::Read(_)), "{error}");
        let error = with_ca_file(dir.path()).unwrap_err();
        assert!(matches!(error, CaFileError::Read(_)), "{error}");
    }
}
