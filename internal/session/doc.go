// Package session builds a q chat session — the agent, the governance it
// runs under, the processes it starts and the records it keeps — and is
// the chat.Workspace that /agent, /context, /hooks and /mcp act on.
//
// A front end (the q command) turns its flags into Options, calls New (or
// NewBare for one command run on the user's behalf, q translate), runs the
// agent interactively or headless, and calls Close.
//
// # Layers
//
// Every agent is built under the same layers, outermost first, and each
// can only tighten what the one above allows:
//
//  1. the organisation's managed settings (managed.Settings: denied tools
//     and commands, disableTrustAll, allowed models and MCP servers, the
//     required sandbox, the AWS policy guard);
//  2. the session's permission state: the launch flags (Options.Permissions)
//     and what the user trusts during the session (/tools, answering t);
//  3. the agent file (agentcfg.Agent): its tools, allowedTools,
//     toolsSettings, hooks and MCP servers, the last held back by the
//     workspace gate until the user trusts them.
//
// A Builder holds layer 1, the launch flags of layer 2 and what tools run
// with (the working directory, the sandbox, the attribution role, the
// audit trail); the trust granted during the session lives in the agent's
// permission.Checker. Builder.Assemble turns an agent file into an
// Assembly under them: an agent.Kit (tools, permissions, hooks, system
// prompt) and the MCP servers and hooks it started. The session keeps one
// Builder for its life; /agent swap assembles another file with it and
// equips the running agent.
//
// # Child agents
//
// Nothing in a Builder comes from the command line, so a tool can build a
// child agent (a future use_subagent) under its parent session's layers:
// take the parent's Builder (Session.Builder), Assemble the child's agent
// file with it — the managed layer, the launch flags, the workspace gate,
// the sandbox and the audit trail are the parent's — then put the child's
// permissions under the parent's: the child's Kit.Permissions must be
// wrapped so that a call the parent's agent.Permissions denies is denied
// and one it would ask about asks (or is refused when nobody can answer),
// whatever the child's agent file allows. Build the child with
// Builder.AgentOptions and agent.New, giving it its own Conversation and a
// Builder.Recorder of it (its records then name the child's conversation
// and agent on the parent's trail), and Close its Assembly when it is
// done. Trust a user grants to the child must not reach the parent: each
// Assembly has its own permission.Checker.
package session
