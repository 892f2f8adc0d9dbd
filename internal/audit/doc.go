// Package audit keeps qdev's tamper-evident audit trail: one CloudTrail-shaped
// JSON record per tool call, chained by hashes and sealed by signed digests,
// with Verify to prove the trail intact and Lookup to search it.
//
// # On disk
//
// A trail is a directory (default $XDG_DATA_HOME/qdev/audit, mode 0700)
// holding:
//
//   - qdev-audit-YYYYMMDDTHHMMSSZ-NNNNNN.jsonl: append-only log files (0600),
//     one record per line. The timestamp is when the file was created, NNNNNN
//     a sequence number that orders the files. A file is closed ("sealed")
//     when the UTC hour changes or when it reaches Options.MaxFileBytes; a
//     sealed file is made read-only (0400).
//   - qdev-audit-YYYYMMDDTHHMMSSZ-NNNNNN.digest.json: the signed Digest of the
//     log file of the same name, written when that file is sealed.
//   - .lock: the flock(2) that lets several q processes share the trail.
//
// Beside the directory, <dir>.key holds the Ed25519 signing key (PKCS#8 PEM,
// 0600, created on first use) and <dir>.key.pub its public half (0644);
// Options.KeyFile relocates both, e.g. for managed settings.
//
// # Chains
//
// Every record carries prevHash, the SHA-256 (hex) of the exact bytes of the
// previous record's line without its newline; the first record of a file
// chains to the last record of the file before it, and the first record of
// the trail has an empty prevHash. Each digest carries the SHA-256 of its
// log file, the hashes of the file's first and last records, and the SHA-256
// and signature of the previous digest, and is signed over a canonical form
// of those fields (see Digest.SigningString). Editing, removing, reordering or
// truncating sealed files therefore breaks a digest or the digest chain, and
// edits inside the open file break the record chain.
//
// # Writing
//
// Append returns once its record is on disk (fdatasync). Appends that
// arrive together in one process are committed as a group: one caller
// leads, taking the directory's flock, writing every queued record with
// one write and syncing once, and the others return with it. A process
// killed during a commit loses at most that commit's records, none of
// which had been acknowledged, and leaves at most one torn line.
//
// Callers that must not act unrecorded (the agent before running a tool)
// ask Trail.Ready first: it fails, in one line naming the directory, when
// the directory is gone or unwritable or its filesystem is nearly full, so
// that the call is refused rather than run without a record.
//
// # What the trail cannot prove
//
// The last record of the open file has no successor and no digest yet, so
// changing it, or cutting whole records off the end of the open file, is not
// detectable until a later record or digest covers it. Anyone who can read
// the signing key can re-sign forged digests: keep the key where the agent's
// tools cannot write (Options.KeyFile) when that matters. Verify reports a
// torn final line left by a crash during a write as a warning, not as
// tampering; the writer never appends after such a line but starts a new
// file.
package audit
