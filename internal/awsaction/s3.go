package awsaction

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// s3Path is an `aws s3` path argument: an S3 URI or a local path.
type s3Path struct {
	s3     bool
	bucket string
	key    string
	local  string
}

func parseS3Path(arg string) s3Path {
	rest, ok := strings.CutPrefix(arg, "s3://")
	if !ok {
		return s3Path{local: arg}
	}
	bucket, key, _ := strings.Cut(rest, "/")
	return s3Path{s3: true, bucket: bucket, key: key}
}

// bucketARN and objectARN return "" when the name cannot be a plain bucket
// (an access point ARN or alias in the URI), keeping the resource unknown.
func bucketARN(part, bucket string) string {
	if bucket == "" || strings.ContainsAny(bucket, ":*?") {
		return ""
	}
	return "arn:" + part + ":s3:::" + bucket
}

func objectARN(part, bucket, key string) string {
	b := bucketARN(part, bucket)
	if b == "" || key == "" || strings.HasSuffix(key, "/") {
		return ""
	}
	return b + "/" + key
}

// resolveS3 maps the high-level `aws s3` commands. Recursive and sync
// operations touch objects the call does not name, so their object
// resources are unknown ("").
func resolveS3(op string, args []string, params map[string]string, part string) ([]Access, error) {
	_, recursive := params["recursive"]
	want := map[string][2]int{"ls": {0, 1}, "cp": {2, 2}, "mv": {2, 2}, "sync": {2, 2}, "rm": {1, 1},
		"mb": {1, 1}, "rb": {1, 1}, "presign": {1, 1}, "website": {1, 1}}
	n, known := want[op]
	if !known {
		return nil, fmt.Errorf("awsaction: unknown command aws s3 %s", op)
	}
	if len(args) < n[0] || len(args) > n[1] {
		return nil, fmt.Errorf("awsaction: aws s3 %s takes %d to %d path arguments, got %d", op, n[0], n[1], len(args))
	}
	paths := make([]s3Path, len(args))
	for i, a := range args {
		paths[i] = parseS3Path(a)
	}
	if n[0] == 1 && (!paths[0].s3 || paths[0].bucket == "") {
		return nil, fmt.Errorf("awsaction: aws s3 %s needs an s3://bucket argument, got %q", op, args[0])
	}
	switch op {
	case "ls":
		if len(paths) == 0 || (paths[0].s3 && paths[0].bucket == "") {
			return []Access{{"s3:ListAllMyBuckets", "*"}}, nil
		}
		if !paths[0].s3 {
			return nil, fmt.Errorf("awsaction: aws s3 ls needs an s3:// argument, got %q", args[0])
		}
		return []Access{{"s3:ListBucket", bucketARN(part, paths[0].bucket)}}, nil
	case "cp", "mv":
		return transfer(op, paths[0], paths[1], recursive, part)
	case "sync":
		return syncAccesses(paths[0], paths[1], params, part)
	case "rm":
		p := paths[0]
		if recursive {
			return []Access{{"s3:ListBucket", bucketARN(part, p.bucket)}, {"s3:DeleteObject", ""}}, nil
		}
		return []Access{{"s3:DeleteObject", objectARN(part, p.bucket, p.key)}}, nil
	case "mb":
		return []Access{{"s3:CreateBucket", bucketARN(part, paths[0].bucket)}}, nil
	case "rb":
		out := []Access{}
		if _, force := params["force"]; force {
			out = append(out, Access{"s3:ListBucket", bucketARN(part, paths[0].bucket)}, Access{"s3:DeleteObject", ""})
		}
		return append(out, Access{"s3:DeleteBucket", bucketARN(part, paths[0].bucket)}), nil
	case "presign":
		// The URL lets its holder GET the object with the signer's rights.
		return []Access{{"s3:GetObject", objectARN(part, paths[0].bucket, paths[0].key)}}, nil
	}
	return []Access{{"s3:PutBucketWebsite", bucketARN(part, paths[0].bucket)}}, nil // website
}

// transfer maps cp and mv: read the source object, write the destination
// object, and for mv delete the source.
func transfer(op string, src, dst s3Path, recursive bool, part string) ([]Access, error) {
	if !src.s3 && !dst.s3 {
		return nil, fmt.Errorf("awsaction: aws s3 %s needs at least one s3:// path", op)
	}
	var out []Access
	srcARN := ""
	if src.s3 {
		if recursive {
			out = append(out, Access{"s3:ListBucket", bucketARN(part, src.bucket)})
		} else {
			srcARN = objectARN(part, src.bucket, src.key)
		}
		out = append(out, Access{"s3:GetObject", srcARN})
	}
	if dst.s3 {
		dstARN := ""
		if !recursive {
			key := dst.key
			// Copying into a "directory" keeps the source's file name.
			if key == "" || strings.HasSuffix(key, "/") {
				key += baseName(src)
			}
			dstARN = objectARN(part, dst.bucket, key)
		}
		out = append(out, Access{"s3:PutObject", dstARN})
	}
	if op == "mv" && src.s3 {
		out = append(out, Access{"s3:DeleteObject", srcARN})
	}
	return out, nil
}

// baseName is the file name a copy into a prefix takes, or "" when there is
// none (stdin, a prefix source).
func baseName(p s3Path) string {
	name := p.local
	if p.s3 {
		name = p.key
	}
	if name == "" || name == "-" || strings.HasSuffix(name, "/") {
		return ""
	}
	return path.Base(strings.ReplaceAll(name, `\`, "/"))
}

func syncAccesses(src, dst s3Path, params map[string]string, part string) ([]Access, error) {
	if !src.s3 && !dst.s3 {
		return nil, fmt.Errorf("awsaction: aws s3 sync needs at least one s3:// path")
	}
	var out []Access
	if src.s3 {
		out = append(out, Access{"s3:ListBucket", bucketARN(part, src.bucket)}, Access{"s3:GetObject", ""})
	}
	if dst.s3 {
		out = append(out, Access{"s3:ListBucket", bucketARN(part, dst.bucket)}, Access{"s3:PutObject", ""})
		if _, del := params["delete"]; del {
			out = append(out, Access{"s3:DeleteObject", ""})
		}
	}
	return out, nil
}

// s3APIActions maps s3api operations whose IAM action differs from the API
// name.
var s3APIActions = map[string]string{
	"list-buckets": "ListAllMyBuckets", "list-objects": "ListBucket", "list-objects-v2": "ListBucket",
	"head-bucket": "ListBucket", "list-object-versions": "ListBucketVersions",
	"list-multipart-uploads": "ListBucketMultipartUploads", "list-parts": "ListMultipartUploadParts",
	"head-object": "GetObject", "select-object-content": "GetObject",
	"copy-object": "PutObject", "create-multipart-upload": "PutObject", "upload-part": "PutObject",
	"upload-part-copy": "PutObject", "complete-multipart-upload": "PutObject", "delete-objects": "DeleteObject",
	"get-bucket-lifecycle": "GetLifecycleConfiguration", "get-bucket-lifecycle-configuration": "GetLifecycleConfiguration",
	"put-bucket-lifecycle": "PutLifecycleConfiguration", "put-bucket-lifecycle-configuration": "PutLifecycleConfiguration",
	"delete-bucket-lifecycle":   "PutLifecycleConfiguration",
	"get-bucket-encryption":     "GetEncryptionConfiguration",
	"put-bucket-encryption":     "PutEncryptionConfiguration",
	"delete-bucket-encryption":  "PutEncryptionConfiguration",
	"get-bucket-replication":    "GetReplicationConfiguration",
	"put-bucket-replication":    "PutReplicationConfiguration",
	"delete-bucket-replication": "PutReplicationConfiguration",
	"get-bucket-notification":   "GetBucketNotification", "get-bucket-notification-configuration": "GetBucketNotification",
	"put-bucket-notification": "PutBucketNotification", "put-bucket-notification-configuration": "PutBucketNotification",
	"get-public-access-block": "GetBucketPublicAccessBlock", "put-public-access-block": "PutBucketPublicAccessBlock",
	"delete-public-access-block":          "PutBucketPublicAccessBlock",
	"get-object-lock-configuration":       "GetBucketObjectLockConfiguration",
	"put-object-lock-configuration":       "PutBucketObjectLockConfiguration",
	"get-bucket-accelerate-configuration": "GetAccelerateConfiguration", "put-bucket-accelerate-configuration": "PutAccelerateConfiguration",
	"delete-bucket-cors": "PutBucketCORS", "delete-bucket-tagging": "PutBucketTagging",
	"delete-bucket-ownership-controls": "PutBucketOwnershipControls",
}

// s3ObjectOps are the s3api operations on objects: their resource is the
// object, and without a key it is unknown rather than the bucket.
var s3ObjectOps = map[string]bool{
	"abort-multipart-upload": true, "complete-multipart-upload": true, "copy-object": true,
	"create-multipart-upload": true, "delete-object": true, "delete-object-tagging": true, "delete-objects": true,
	"get-object": true, "get-object-acl": true, "get-object-attributes": true, "get-object-legal-hold": true,
	"get-object-retention": true, "get-object-tagging": true, "get-object-torrent": true, "head-object": true,
	"list-parts": true, "put-object": true, "put-object-acl": true, "put-object-legal-hold": true,
	"put-object-retention": true, "put-object-tagging": true, "restore-object": true,
	"select-object-content": true, "upload-part": true, "upload-part-copy": true,
}

// s3VersionActions are the actions that become "…Version…" when the call
// names a --version-id.
var s3VersionActions = map[string]string{
	"GetObject": "GetObjectVersion", "DeleteObject": "DeleteObjectVersion",
	"GetObjectAcl": "GetObjectVersionAcl", "PutObjectAcl": "PutObjectVersionAcl",
	"GetObjectTagging": "GetObjectVersionTagging", "PutObjectTagging": "PutObjectVersionTagging",
	"DeleteObjectTagging": "DeleteObjectVersionTagging",
}

func resolveS3API(op string, params map[string]string, part string) []Access {
	name, ok := s3APIActions[op]
	if !ok {
		name = ActionName(op)
	}
	if _, v := params["version-id"]; v && op != "delete-objects" {
		if vn, ok := s3VersionActions[name]; ok {
			name = vn
		}
	}
	var res string
	switch {
	case op == "list-buckets":
		res = "*"
	case op == "delete-objects":
		res = "" // the keys are inside the --delete structure
	case s3ObjectOps[op]:
		res = objectARN(part, params["bucket"], params["key"])
	default:
		res = bucketARN(part, params["bucket"])
	}
	var out []Access
	if src, ok := params["copy-source"]; ok && (op == "copy-object" || op == "upload-part-copy") {
		out = append(out, copySource(src, part))
	}
	return append(out, Access{"s3:" + name, res})
}

// copySource reads --copy-source "bucket/key[?versionId=v]" (the key URL
// encoded) as the object to read.
func copySource(src, part string) Access {
	src = strings.TrimPrefix(src, "/")
	action := "s3:GetObject"
	if p, q, ok := strings.Cut(src, "?"); ok {
		src = p
		if vals, err := url.ParseQuery(q); err == nil && vals.Get("versionId") != "" {
			action = "s3:GetObjectVersion"
		}
	}
	bucket, key, _ := strings.Cut(src, "/")
	if k, err := url.PathUnescape(key); err == nil {
		key = k
	}
	return Access{action, objectARN(part, bucket, key)}
}
