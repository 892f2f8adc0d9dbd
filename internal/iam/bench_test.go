package iam

import "testing"

// A developer's identity policy of typical size: per-user S3 prefixes,
// read-only EC2, a tagged DynamoDB table, region limits and guard rails.
const benchDeveloper = `{"Version":"2012-10-17","Statement":[
 {"Sid":"ListOwnBucket","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::team-data",
  "Condition":{"StringLike":{"s3:prefix":["home/${aws:username}/*","shared/*"]}}},
 {"Sid":"OwnObjects","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],
  "Resource":["arn:aws:s3:::team-data/home/${aws:username}/*","arn:aws:s3:::team-data/shared/*"]},
 {"Sid":"ReadEC2","Effect":"Allow","Action":["ec2:Describe*","ec2:Get*"],"Resource":"*",
  "Condition":{"StringEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}},
 {"Sid":"Dynamo","Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query","dynamodb:PutItem"],
  "Resource":"arn:aws:dynamodb:eu-west-1:123456789012:table/orders-*",
  "Condition":{"StringEquals":{"aws:PrincipalTag/team":"orders"},"Bool":{"aws:SecureTransport":"true"}}},
 {"Sid":"Lambda","Effect":"Allow","Action":["lambda:InvokeFunction","lambda:Get*","lambda:List*"],
  "Resource":"arn:aws:lambda:eu-west-1:123456789012:function:orders-*"},
 {"Sid":"Logs","Effect":"Allow","Action":["logs:Get*","logs:Describe*","logs:FilterLogEvents"],"Resource":"*"},
 {"Sid":"NoIAMWrites","Effect":"Deny","NotAction":["iam:Get*","iam:List*"],"Resource":"arn:aws:iam::*:*"},
 {"Sid":"OfficeOnly","Effect":"Deny","Action":"*","Resource":"*",
  "Condition":{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]},"Bool":{"aws:ViaAWSService":"false"}}},
 {"Sid":"Expiry","Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}}
]}`

const benchOUSCP = `{"Version":"2012-10-17","Statement":[
 {"Sid":"FullAWSAccess","Effect":"Allow","Action":"*","Resource":"*"},
 {"Sid":"DenyOutsideEU","Effect":"Deny","NotAction":["iam:*","sts:*","organizations:*","support:*"],"Resource":"*",
  "Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}},
 {"Sid":"BlockAIWrites","Effect":"Deny","Action":["s3:DeleteObject*","s3:DeleteBucket","ec2:TerminateInstances","dynamodb:DeleteTable"],
  "Resource":"*","Condition":{"StringLike":{"aws:UserAgent":"*exec-env/AmazonQ-For-*"}}},
 {"Sid":"NoLeavingOrg","Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}
]}`

const benchBoundary = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3:*","ec2:Describe*","dynamodb:*","lambda:*","logs:*","iam:Get*","iam:List*"],"Resource":"*"}]}`

// BenchmarkEvaluate measures decisions per second for a realistic policy
// set: two SCP levels, the seed user-agent policy plus a developer policy,
// and a permissions boundary, over a mix of allowed and denied requests.
func BenchmarkEvaluate(b *testing.B) {
	set := buildSet(b, setSpec{
		identity: []string{seedPolicy, benchDeveloper},
		scps:     [][]string{{allowAll}, {benchOUSCP}},
		boundary: benchBoundary,
	})
	base := map[string][]string{
		"aws:username": {"bob"}, "aws:PrincipalTag/team": {"orders"}, "aws:SecureTransport": {"true"},
		"aws:SourceIp": {"203.0.113.7"}, "aws:ViaAWSService": {"false"}, "aws:CurrentTime": {"2026-03-01T12:00:00Z"},
		"aws:RequestedRegion": {"eu-west-1"}, "aws:UserAgent": {uaPip}, "s3:prefix": {"home/bob/notes/"},
	}
	reqs := []Request{
		{Action: "s3:GetObject", Resource: "arn:aws:s3:::team-data/home/bob/notes.txt"},
		{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::team-data/home/bob/notes.txt"},
		{Action: "s3:ListBucket", Resource: "arn:aws:s3:::team-data"},
		{Action: "ec2:DescribeInstances", Resource: "*"},
		{Action: "dynamodb:Query", Resource: "arn:aws:dynamodb:eu-west-1:123456789012:table/orders-2026"},
		{Action: "iam:CreateUser", Resource: "arn:aws:iam::123456789012:user/eve"},
		{Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:eu-west-1:123456789012:function:orders-api"},
		{Action: "s3:PutObject", Resource: ""},
	}
	for i := range reqs {
		reqs[i].Context = base
	}
	var allowed int
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if Evaluate(set, reqs[i%len(reqs)]).Decision == Allow {
			allowed++
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	if allowed == 0 {
		b.Fatal("no request was allowed: the benchmark set is broken")
	}
}
