// Command sdkfloor is the start-up baseline of `make bench`: an empty
// program that links the SDKs q cannot do without (the three model
// providers, the AWS credential chain, MCP and SQLite). Go runs every linked
// package's initialisation before main, so no build of q can start faster
// than this.
package main

import (
	_ "github.com/anthropics/anthropic-sdk-go"
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	_ "github.com/modelcontextprotocol/go-sdk/mcp"
	_ "github.com/openai/openai-go/v3"
	_ "modernc.org/sqlite"
)

func main() {}
