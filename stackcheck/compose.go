package stackcheck

import (
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// File is the part of a Compose file the stack check reads.
type File struct {
	Name     string             `yaml:"name"`
	Services map[string]Service `yaml:"services"`
	Volumes  map[string]any     `yaml:"volumes"`
}

// Service is one Compose service.
type Service struct {
	Image         string               `yaml:"image"`
	Build         *Build               `yaml:"build"`
	Command       Command              `yaml:"command"`
	Entrypoint    Command              `yaml:"entrypoint"`
	Environment   Environment          `yaml:"environment"`
	Expose        []string             `yaml:"expose"`
	Ports         []string             `yaml:"ports"`
	Healthcheck   *Healthcheck         `yaml:"healthcheck"`
	DependsOn     DependsOn            `yaml:"depends_on"`
	ContainerName string               `yaml:"container_name"`
	Volumes       []string             `yaml:"volumes"`
	Restart       string               `yaml:"restart"`
	Deploy        map[string]yaml.Node `yaml:"deploy"`
}

// Build is a service's build section.
type Build struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
}

// Healthcheck is a service's healthcheck.
type Healthcheck struct {
	Test     Command `yaml:"test"`
	Interval string  `yaml:"interval"`
	Timeout  string  `yaml:"timeout"`
	Retries  int     `yaml:"retries"`
}

// Command is a command line, written in Compose as a list or as one string.
type Command []string

// UnmarshalYAML accepts both forms; a string is split on spaces.
func (c *Command) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*c = strings.Fields(n.Value)
		return nil
	}
	var list []string
	if err := n.Decode(&list); err != nil {
		return fmt.Errorf("command: %w", err)
	}
	*c = list
	return nil
}

// Environment is a service's environment, written as a map or as a list of
// NAME=value entries.
type Environment map[string]string

// UnmarshalYAML accepts both forms.
func (e *Environment) UnmarshalYAML(n *yaml.Node) error {
	out := map[string]string{}
	if n.Kind == yaml.SequenceNode {
		var list []string
		if err := n.Decode(&list); err != nil {
			return fmt.Errorf("environment: %w", err)
		}
		for _, kv := range list {
			k, v, _ := strings.Cut(kv, "=")
			out[k] = v
		}
	} else if err := n.Decode(&out); err != nil {
		return fmt.Errorf("environment: %w", err)
	}
	*e = out
	return nil
}

// DependsOn maps a dependency to its condition (service_started for the
// short list form).
type DependsOn map[string]string

// UnmarshalYAML accepts the list and the map form.
func (d *DependsOn) UnmarshalYAML(n *yaml.Node) error {
	out := map[string]string{}
	if n.Kind == yaml.SequenceNode {
		var list []string
		if err := n.Decode(&list); err != nil {
			return fmt.Errorf("depends_on: %w", err)
		}
		for _, s := range list {
			out[s] = "service_started"
		}
	} else {
		var long map[string]struct {
			Condition string `yaml:"condition"`
		}
		if err := n.Decode(&long); err != nil {
			return fmt.Errorf("depends_on: %w", err)
		}
		for k, v := range long {
			out[k] = v.Condition
		}
	}
	*d = out
	return nil
}

// LoadCompose reads a Compose file, substitutes env into it and parses it.
func LoadCompose(path string, env map[string]string) (*File, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load compose: %w", err)
	}
	text, err := Interpolate(string(raw), env)
	if err != nil {
		return nil, fmt.Errorf("load compose %s: %w", path, err)
	}
	var f File
	dec := yaml.NewDecoder(strings.NewReader(text))
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("load compose %s: %w", path, err)
	}
	return &f, nil
}
