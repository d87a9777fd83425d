package redis

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	goredis "github.com/redis/go-redis/v9"
)

// Open connects to the Redis that redisURL names and checks it answers PING. The forms:
//
//	redis://[user:password@]host:port[/db][?options]   one server (rediss:// for TLS)
//	unix:///path/to/redis.sock[?db=N&options]          one server on a unix socket
//	redis://sentinel:26379?master_name=mymaster[&addr=sentinel2:26379...]
//	                                                   Sentinel: the host and each addr
//	                                                   are sentinels
//	redis://node1:6379?cluster=true[&addr=node2:6379...]
//	                                                   Cluster: the host and each addr
//	                                                   are seed nodes; addr alone also
//	                                                   means Cluster
//
// Options are go-redis's URL query parameters (dial_timeout, read_timeout, pool_size,
// ...; see goredis.ParseURL, ParseFailoverURL and ParseClusterURL). The caller closes
// the client. Errors never repeat the URL, which may hold a password.
func Open(ctx context.Context, redisURL string) (goredis.UniversalClient, error) {
	client, err := newClient(redisURL)
	if err != nil {
		return nil, fmt.Errorf("open redis: %w", err)
	}
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("open redis: ping: %w", err)
	}
	return client, nil
}

// newClient builds the client for rawURL without connecting. Every call ends by its
// context's deadline too, not only by the read and write timeouts: a Redis that hangs
// must not hold /readyz past its 2 s.
func newClient(rawURL string) (goredis.UniversalClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the whole URL, password included: keep only the reason.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("invalid URL: %w", err)
	}
	q := u.Query()
	switch {
	case q.Has("master_name"):
		opts, err := goredis.ParseFailoverURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("sentinel URL: %w", err)
		}
		opts.ContextTimeoutEnabled = true
		return goredis.NewFailoverClient(opts), nil
	case q.Has("cluster") || q.Has("addr"):
		cluster := q.Get("cluster")
		if cluster != "" && cluster != "true" && cluster != "1" {
			return nil, fmt.Errorf("cluster URL: cluster=%q, want true", cluster)
		}
		q.Del("cluster") // ours, not go-redis's
		u.RawQuery = q.Encode()
		opts, err := goredis.ParseClusterURL(u.String())
		if err != nil {
			return nil, fmt.Errorf("cluster URL: %w", err)
		}
		opts.ContextTimeoutEnabled = true
		return goredis.NewClusterClient(opts), nil
	default:
		opts, err := goredis.ParseURL(rawURL)
		if err != nil {
			return nil, err
		}
		opts.ContextTimeoutEnabled = true
		return goredis.NewClient(opts), nil
	}
}
