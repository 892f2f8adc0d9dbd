package cli

import (
	"github.com/qdev/qdev/internal/netconf"
	"github.com/qdev/qdev/internal/paths"
)

// loadNetwork loads the proxy and CA configuration from the environment and
// the settings file, for commands that connect without a chat session.
func loadNetwork() (*netconf.Network, error) {
	st, err := loadSettings()
	if err != nil {
		return nil, err
	}
	return netconf.Load(netconf.Options{CABundle: st.String(netconf.SettingCABundle, ""), Home: paths.Home()})
}
