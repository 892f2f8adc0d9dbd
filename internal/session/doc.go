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
// use_subagent (subagents.go, the internal/subagent package) builds child
// agents under the session's layers. A child runs as an agent file of the
// workspace or user with the session's model, environment and MCP servers;
// its file's own hooks, servers and model are not used. The file's
// allowedTools and toolsSettings, under the launch flags, make the child's
// own permission layer, and the subagent tool puts it beneath the
// parent's agent.Permissions (managed layer, parent file, trust granted so
// far), so a call the parent denies is denied and one it would ask about
// asks (or is refused when nobody can answer), whatever the child's file
// allows; the workspace gate need not judge the file, whose grants can
// only narrow. Each child is built with Builder.AgentOptions and agent.New,
// with a Conversation of its own, and records its calls through the
// session's calls.Recorder (Recorder.Subagent): its records name the
// session's conversation and the subagent, and queue with the parent's.
// Each child has a permission.Checker of its own; answering t at a
// child's question trusts the tool for the whole session, so the
// subagent tool trusts it in the parent's checker as well.
package session
