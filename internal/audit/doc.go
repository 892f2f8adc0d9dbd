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
// Outside the directory, under q's configuration directory (which the
// sandbox keeps read-only for the agent's commands), the trail's Anchor
// (AnchorPath, Options.AnchorFile) holds the public key pinned at first use
// and the high-water mark: the newest log file, how many of its bytes were
// durable and the chain hash of its last record, and the newest digest's
// name and hash. The file has two checksummed slots written in turn, one
// pwrite per commit, without fsync: the mark is written after the bytes it
// covers are synced, so a crash can leave it behind the trail but never
// ahead of it.
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
// A tool call that runs is recorded twice. Its intent (Record.Phase
// "intent": who, what, and the decision) is appended, and synced, before
// the call starts; its outcome ("outcome", IntentID naming the intent's
// eventID) after it ends. The agent queues the outcome in the background
// and waits for it before the next intent and before q exits. A call that
// never runs (refused, invalid) is one record without a phase. Killing q,
// its parent or the command in between leaves an intent without outcome,
// which Verify reports as "started, no outcome" (KindUnfinished): a
// problem, so verify fails, but one that puts no record in doubt and so
// does not limit TrustedThrough.
//
// Before each commit the writer reads the anchor and refuses to write when
// the key is not the pinned one (or not the one the managed settings pin,
// Options.PinnedKey) or the trail is behind the high-water mark: writing
// would move the mark back and hide what was removed. After the commit it
// moves the mark forward. A writer that finds the anchor deleted, or older
// than what it last wrote, puts its own copy back before checking, so
// deleting the anchor mid-session resets nothing; with a digest sink file
// (Options.DigestSink), the sink's last copy stands in for a deleted
// anchor at the start of a session too.
//
// Callers that must not act unrecorded (the agent before running a tool)
// ask Trail.Ready first: it fails, in one line naming the directory, when
// the directory is gone or unwritable or its filesystem is nearly full, so
// that the call is refused rather than run without a record.
//
// # What the trail cannot prove
//
// Verify compares the trail with its anchor, so cutting records off the
// open file, deleting it, deleting the newest files or digests, emptying
// the trail, restoring an older copy or replacing the key (and re-signing
// every digest with the new one) are each reported. What the anchor
// cannot catch is someone who can write the anchor too: deleting it along
// with the trail looks like a first use, which Verify only warns about
// ("no trust anchor"). Only a copy kept elsewhere, such as the digests
// shipped to a sink the user cannot write, covers that. Anyone who can
// read the signing key can sign forged digests; the pinned key then still
// matches, so keep the key where the agent's tools cannot write
// (Options.KeyFile) when that matters. Verify reports a
// torn final line left by a crash during a write as a warning, not as
// tampering; the writer never appends after such a line but starts a new
// file.
package audit
