package app

import (
	"github.com/shopsupergraph/shop/platform/config"
	"github.com/shopsupergraph/shop/platform/service"
)

// Config is the webhooks service's configuration: the variables every
// service shares (platform/service.Common: LISTEN_ADDR, default :4004;
// MONGO_URI; MONGO_DB, default shop_webhooks; API_SECRET or the token
// keys; HTTP_* and GRAPHQL_* limits; ...). Add this service's own
// variables here, each with a default and a check in LoadConfig.
type Config struct {
	service.Common
}

// LoadConfig reads the configuration and reports every problem at once.
func LoadConfig(env *config.Env) (Config, error) {
	c := Config{Common: service.LoadCommon(env, "webhooks", ":4004")}
	if err := env.Err(); err != nil {
		return Config{}, err
	}
	return c, nil
}
