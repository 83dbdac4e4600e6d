package kube

import (
	"path"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Secret is the Secret the operator creates next to the manifests, as its
// documentation describes it: its name and, per key, a sample value that
// stands in for the real one when the check loads a configuration.
type Secret struct {
	Name   string
	Values map[string]string
}

// ContainerEnv resolves the environment a container starts with: the
// image's (imageEnv), then its env list in order, with values from
// ConfigMaps of the rendering and from the documented Secret. It also
// returns every reference that cannot resolve, which would keep the pod
// from starting (or, for an optional one, leave the variable unset).
func (o *Objects) ContainerEnv(c *corev1.Container, imageEnv map[string]string, secret Secret) (map[string]string, []string) {
	var p problems
	env := map[string]string{}
	for k, v := range imageEnv {
		env[k] = v
	}
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			cm := o.ConfigMap(from.ConfigMapRef.Name)
			if cm == nil {
				p.addf("%s: envFrom names ConfigMap %s, which the manifests do not create", c.Name, from.ConfigMapRef.Name)
				continue
			}
			for k, v := range cm.Data {
				env[from.Prefix+k] = v
			}
		case from.SecretRef != nil:
			// Every key of the Secret would become a variable, read or
			// not: name each one with secretKeyRef instead.
			p.addf("%s: envFrom takes every key of Secret %s; name the keys it needs with secretKeyRef", c.Name, from.SecretRef.Name)
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			env[e.Name] = e.Value
			continue
		}
		switch ref := e.ValueFrom; {
		case ref.ConfigMapKeyRef != nil:
			r := ref.ConfigMapKeyRef
			optional := r.Optional != nil && *r.Optional
			cm := o.ConfigMap(r.Name)
			switch {
			case cm == nil:
				p.addf("%s: %s comes from ConfigMap %s, which the manifests do not create", c.Name, e.Name, r.Name)
			case !hasKey(cm, r.Key):
				if !optional {
					p.addf("%s: %s comes from key %s of ConfigMap %s, which has no such key", c.Name, e.Name, r.Key, r.Name)
				}
			default:
				env[e.Name] = cm.Data[r.Key]
			}
		case ref.SecretKeyRef != nil:
			r := ref.SecretKeyRef
			v, documented := secret.Values[r.Key]
			switch {
			case r.Name != secret.Name:
				p.addf("%s: %s comes from Secret %s; the documented Secret is %s", c.Name, e.Name, r.Name, secret.Name)
			case !documented:
				p.addf("%s: %s comes from key %s of Secret %s, which is not a documented key", c.Name, e.Name, r.Key, r.Name)
			default:
				env[e.Name] = v
			}
		default:
			p.addf("%s: %s comes from a source the check does not know (only ConfigMap and Secret keys)", c.Name, e.Name)
		}
	}
	return env, p
}

func hasKey(cm *corev1.ConfigMap, key string) bool {
	_, text := cm.Data[key]
	_, bin := cm.BinaryData[key]
	return text || bin
}

// MountedFiles returns the files a container sees from the ConfigMap
// volumes it mounts, by absolute path, and the mounts that cannot resolve.
func (o *Objects) MountedFiles(spec *corev1.PodSpec, c *corev1.Container) (map[string]string, []string) {
	var p problems
	files := map[string]string{}
	for _, m := range c.VolumeMounts {
		i := slices.IndexFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == m.Name })
		if i < 0 {
			p.addf("%s: mounts volume %s, which the pod does not declare", c.Name, m.Name)
			continue
		}
		v := spec.Volumes[i]
		if v.ConfigMap == nil {
			continue
		}
		cm := o.ConfigMap(v.ConfigMap.Name)
		if cm == nil {
			p.addf("%s: volume %s is ConfigMap %s, which the manifests do not create", c.Name, v.Name, v.ConfigMap.Name)
			continue
		}
		add := func(key, rel string) {
			full := path.Join(m.MountPath, rel)
			if m.SubPath != "" {
				if rel != m.SubPath {
					return
				}
				full = m.MountPath
			}
			files[full] = cm.Data[key]
		}
		if len(v.ConfigMap.Items) == 0 {
			for k := range cm.Data {
				add(k, k)
			}
			continue
		}
		for _, it := range v.ConfigMap.Items {
			if !hasKey(cm, it.Key) {
				p.addf("%s: volume %s projects key %s of ConfigMap %s, which has no such key", c.Name, v.Name, it.Key, cm.Name)
				continue
			}
			add(it.Key, it.Path)
		}
	}
	return files, p
}

// WritablePath reports whether a container can write at file despite a
// read-only root file system: it lies on an emptyDir volume it mounts
// read-write.
func WritablePath(spec *corev1.PodSpec, c *corev1.Container, file string) bool {
	for _, m := range c.VolumeMounts {
		if m.ReadOnly || !strings.HasPrefix(path.Clean(file), path.Clean(m.MountPath)+"/") {
			continue
		}
		for _, v := range spec.Volumes {
			if v.Name == m.Name && v.EmptyDir != nil {
				return true
			}
		}
	}
	return false
}

// CheckReferences reports every ConfigMap, Secret and volume reference of
// every container that does not resolve, and documented Secret keys that
// nothing uses.
func (o *Objects) CheckReferences(secret Secret) []string {
	var p problems
	used := map[string]bool{}
	for _, d := range o.Deployments {
		spec := &d.Spec.Template.Spec
		for i := range spec.Containers {
			c := &spec.Containers[i]
			_, envProblems := o.ContainerEnv(c, nil, secret)
			for _, s := range envProblems {
				p.addf("deployment %s: %s", d.Name, s)
			}
			_, mountProblems := o.MountedFiles(spec, c)
			for _, s := range mountProblems {
				p.addf("deployment %s: %s", d.Name, s)
			}
			for _, e := range c.Env {
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					used[e.ValueFrom.SecretKeyRef.Key] = true
				}
			}
		}
		for _, v := range spec.Volumes {
			if v.Secret != nil {
				p.addf("deployment %s: volume %s mounts a Secret; the services read their secrets from the environment", d.Name, v.Name)
			}
		}
	}
	for k := range secret.Values {
		if !used[k] {
			p.addf("the documented Secret key %s is used by no container", k)
		}
	}
	return p
}
