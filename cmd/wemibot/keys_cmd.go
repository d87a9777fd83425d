package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/comune-milano/wemibot/vault"
)

// kekFile is the key file in use when WEMI_KEK is not set: WEMI_KEK_FILE, or kek in
// the data folder.
func (c *cli) kekFile() string {
	if c.cfg.KEKFile != "" {
		return c.cfg.KEKFile
	}
	return filepath.Join(c.cfg.DataDir, "kek")
}

// loadKEKs returns the key-encryption keys: WEMI_KEK's, or the key file's (created
// with a fresh key the first time).
func (c *cli) loadKEKs() ([]vault.KEK, error) {
	if c.cfg.KEKs != nil {
		return c.cfg.KEKs, nil
	}
	keks, err := vault.LoadOrCreateKEKFile(c.kekFile())
	if err != nil {
		return nil, fmt.Errorf("%w (WEMI_KEK_FILE / WEMI_KEK)", err)
	}
	return keks, nil
}

// keys runs "wemibot keys rotate".
func (c *cli) keys(ctx context.Context, args []string) error {
	args, err := c.parseInterleaved(c.flagSet("keys", mainUsage), args)
	if err != nil {
		return err
	}
	if len(args) != 1 || args[0] != "rotate" {
		return fmt.Errorf("%w: keys: want 'keys rotate'", errUsage)
	}
	raw, _, _, err := c.openRawStore(ctx)
	if err != nil {
		return err
	}
	defer raw.Close()
	if c.cfg.KEKs != nil {
		return c.rewrap(ctx, raw, c.cfg.KEKs,
			"Every replica may now run with only the first key of WEMI_KEK: remove the older ones.")
	}
	// The key file: a new key first, the old ones kept until everything is
	// re-wrapped; a failure leaves them all in the file, and rotate can run again.
	path := c.kekFile()
	keks, err := vault.LoadOrCreateKEKFile(path)
	if err != nil {
		return err
	}
	next := append([]vault.KEK{vault.NewKEK()}, keks...)
	if err := vault.WriteKEKFile(path, next); err != nil {
		return err
	}
	if err := c.rewrap(ctx, raw, next, ""); err != nil {
		return err
	}
	if err := vault.WriteKEKFile(path, next[:1]); err != nil {
		return fmt.Errorf("drop the old keys from %s: %w", path, err)
	}
	fmt.Fprintf(c.stdout, "The key file %s now holds only the new key %s.\n", path, next[0].ID)
	return nil
}

// rewrap wraps every data key of raw with keks[0] and says so.
func (c *cli) rewrap(ctx context.Context, raw rawStore, keks []vault.KEK, after string) error {
	v, err := vault.New(raw, keks, vault.Options{})
	if err != nil {
		return err
	}
	defer v.Close()
	n, err := v.Rewrap(ctx)
	if err != nil {
		return fmt.Errorf("rotate keys (%d re-wrapped before the failure; run it again): %w", n, err)
	}
	fmt.Fprintf(c.stdout, "Re-wrapped %d data keys with the key-encryption key %s.\n", n, keks[0].ID)
	if after != "" {
		fmt.Fprintln(c.stdout, after)
	}
	return nil
}
