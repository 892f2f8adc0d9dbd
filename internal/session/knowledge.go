package session

import (
	"errors"

	"github.com/qdev/qdev/internal/agentcfg"
	"github.com/qdev/qdev/internal/knowledge"
	"github.com/qdev/qdev/internal/permission"
	"github.com/qdev/qdev/internal/settings"
)

// knowledgeState is the session's knowledge bases: the active agent's
// store, and those of agents swapped away from, whose indexing goes on
// until q exits.
type knowledgeState struct {
	store *knowledge.Store
	err   error
	older []*knowledge.Store
}

// openKnowledge opens agent cfg's knowledge bases when chat.enableKnowledge
// is on, judging every file by perms, the agent's permission rules as they
// stand when the file is indexed or quoted.
func (s *Session) openKnowledge(cfg *agentcfg.Agent, perms *permission.Layered) {
	k := &s.knowledge
	if k.store != nil {
		k.older = append(k.older, k.store)
	}
	k.store, k.err = nil, nil
	s.env.Knowledge = nil
	if !s.settings.Bool("chat.enableKnowledge", false) {
		return
	}
	judge := func(path string) error {
		if d, denied := perms.ReadDenied(path); denied {
			return errors.New(decisionText(d))
		}
		return nil
	}
	var backend knowledge.Backend
	if helper, err := knowledge.FindHelper(); err != nil {
		backend = knowledge.Unavailable(err)
	} else {
		backend = knowledge.Helper(helper)
	}
	st, err := knowledge.Open(knowledge.ScopeDir(s.env.DataDir, cfg.Name, cfg.Path), knowledge.Options{
		Judge: judge, Backend: backend, Settings: knowledgeSettings(s.settings), Cwd: s.cwd})
	if err != nil {
		k.err = err
		s.Warn("knowledge bases: %v", err)
		return
	}
	k.store = st
	s.env.Knowledge = st
}

// knowledgeSettings reads the knowledge.* settings.
func knowledgeSettings(st *settings.Settings) knowledge.Settings {
	return knowledge.Settings{
		ChunkSize:    st.Int("knowledge.chunkSize", knowledge.DefaultChunkSize),
		ChunkOverlap: st.Int("knowledge.chunkOverlap", -1),
		MaxFiles:     st.Int("knowledge.maxFiles", knowledge.DefaultMaxFiles),
		IndexType:    st.String("knowledge.indexType", knowledge.Fast),
		Include:      st.Strings("knowledge.defaultIncludePatterns"),
		Exclude:      st.Strings("knowledge.defaultExcludePatterns"),
	}
}

// Knowledge is the chat.Workspace method: the active agent's bases.
func (s *Session) Knowledge() (*knowledge.Store, error) {
	return s.knowledge.store, s.knowledge.err
}

// closeKnowledge stops the indexing still running as q exits and says
// which bases it left unfinished.
func (s *Session) closeKnowledge() {
	k := &s.knowledge
	for _, st := range append(k.older, k.store) {
		if st == nil {
			continue
		}
		for _, name := range st.Close() {
			s.Warn("indexing of knowledge base %s stopped as q exits; /knowledge update %s indexes it again", name, name)
		}
	}
}
