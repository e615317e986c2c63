package cloudfns

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"crypto/subtle"
	"encoding"
	"hash"
	"math/big"
	"strings"

	"github.com/dop251/goja"
	"github.com/minicloud/minicloud/internal/reqid"
)

// Go halves of require('crypto'): hashes, HMAC, AES (CBC, ECB, GCM), random values,
// PBKDF2, timing-safe comparison; keys, signatures and RSA encryption are in
// require_crypto_keys.go. The prelude wraps them in Node's API.

// Bounds on native work that an interrupt cannot stop.
const (
	maxPBKDF2Iterations = 5_000_000
	maxRandomBytes      = 64 << 20
)

func hashFunc(alg string) func() hash.Hash {
	switch strings.TrimPrefix(strings.ToLower(alg), "rsa-") {
	case "md5":
		return md5.New
	case "sha1", "sha-1":
		return sha1.New
	case "sha224", "sha-224":
		return sha256.New224
	case "sha256", "sha-256":
		return sha256.New
	case "sha384", "sha-384":
		return sha512.New384
	case "sha512", "sha-512":
		return sha512.New
	case "sha512-256":
		return sha512.New512_256
	case "sha3-224":
		return func() hash.Hash { return sha3.New224() }
	case "sha3-256":
		return func() hash.Hash { return sha3.New256() }
	case "sha3-384":
		return func() hash.Hash { return sha3.New384() }
	case "sha3-512":
		return func() hash.Hash { return sha3.New512() }
	}
	return nil
}

type hashHandle struct {
	h   hash.Hash
	alg string
}

type cipherHandle struct {
	encrypt bool
	mode    string // cbc, ecb, gcm
	block   cipher.Block
	cbc     cipher.BlockMode
	aead    cipher.AEAD
	iv      []byte
	pending []byte
	padding bool
	aad     []byte
	tag     []byte
	done    bool
}

// newUUID returns a random (version 4) UUID.
func randomUUID4() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return reqid.FormatUUID(&b)
}

// dataArg returns the bytes of a string (in enc) or a binary value.
func (in *Instance) dataArg(v goja.Value, enc goja.Value, name string) []byte {
	if goja.IsString(v) {
		return stringBytes(v, in.encodingArg(enc))
	}
	if in.isBinary(v) {
		return in.bytesOf(v)
	}
	panic(in.vm.NewTypeError("The \"" + name + "\" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received " + describeArg(v)))
}

func describeArg(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) {
		return "undefined"
	}
	if goja.IsNull(v) {
		return "null"
	}
	return "type " + v.ExportType().String()
}

// output returns b as a string in enc, or as an ArrayBuffer (a Buffer for the prelude)
// when enc is undefined or "buffer".
func (in *Instance) output(b []byte, enc goja.Value) goja.Value {
	if enc == nil || goja.IsUndefined(enc) || goja.IsNull(enc) || enc.String() == "buffer" {
		return in.vm.ToValue(in.vm.NewArrayBuffer(b))
	}
	return bytesString(in.vm, b, in.encodingArg(enc))
}

func (in *Instance) cryptoNatives() *goja.Object {
	vm := in.vm
	o := vm.NewObject()
	fail := func(code, msg string) {
		panic(in.newError(msg, code))
	}
	hashOf := func(v goja.Value) *hashHandle {
		h, ok := v.Export().(*hashHandle)
		if !ok {
			panic(vm.NewTypeError("not a hash"))
		}
		return h
	}
	cipherOf := func(v goja.Value) *cipherHandle {
		c, ok := v.Export().(*cipherHandle)
		if !ok {
			panic(vm.NewTypeError("not a cipher"))
		}
		return c
	}
	_ = o.Set("hashNew", func(c goja.FunctionCall) goja.Value {
		alg := c.Argument(0).String()
		f := hashFunc(alg)
		if f == nil {
			fail("ERR_OSSL_EVP_UNSUPPORTED", "Digest method not supported: "+alg)
		}
		if key := c.Argument(1); !goja.IsUndefined(key) {
			return vm.ToValue(&hashHandle{h: hmac.New(f, in.secretArg(key, "key")), alg: "hmac"})
		}
		return vm.ToValue(&hashHandle{h: f(), alg: alg})
	})
	_ = o.Set("hashUpdate", func(c goja.FunctionCall) goja.Value {
		h := hashOf(c.Argument(0))
		h.h.Write(in.dataArg(c.Argument(1), c.Argument(2), "data"))
		return goja.Undefined()
	})
	_ = o.Set("hashDigest", func(c goja.FunctionCall) goja.Value {
		h := hashOf(c.Argument(0))
		return in.output(h.h.Sum(nil), c.Argument(1))
	})
	_ = o.Set("hashCopy", func(c goja.FunctionCall) goja.Value {
		h := hashOf(c.Argument(0))
		m, ok := h.h.(encoding.BinaryMarshaler)
		f := hashFunc(h.alg)
		if !ok || f == nil {
			fail("ERR_CRYPTO_HASH_FINALIZED", "this hash cannot be copied")
		}
		state, err := m.MarshalBinary()
		if err != nil {
			fail("ERR_CRYPTO_HASH_FINALIZED", err.Error())
		}
		nh := f()
		if err := nh.(encoding.BinaryUnmarshaler).UnmarshalBinary(state); err != nil {
			fail("ERR_CRYPTO_HASH_FINALIZED", err.Error())
		}
		return vm.ToValue(&hashHandle{h: nh, alg: h.alg})
	})
	_ = o.Set("randomBytes", func(c goja.FunctionCall) goja.Value {
		n := c.Argument(0).ToInteger()
		if n > maxRandomBytes {
			in.guards.refuse("Array buffer allocation failed")
		}
		b := make([]byte, max(n, 0))
		_, _ = rand.Read(b)
		return vm.ToValue(vm.NewArrayBuffer(b))
	})
	_ = o.Set("randomFill", func(c goja.FunctionCall) goja.Value {
		if !in.isBinary(c.Argument(0)) {
			panic(vm.NewTypeError("The \"buf\" argument must be an instance of ArrayBuffer or ArrayBufferView"))
		}
		_, _ = rand.Read(in.bytesOf(c.Argument(0)))
		return c.Argument(0)
	})
	_ = o.Set("randomUUID", func(goja.FunctionCall) goja.Value { return vm.ToValue(randomUUID4()) })
	_ = o.Set("randomInt", func(c goja.FunctionCall) goja.Value {
		lo, hi := c.Argument(0).ToInteger(), c.Argument(1).ToInteger()
		n, err := rand.Int(rand.Reader, big.NewInt(hi-lo))
		if err != nil {
			fail("ERR_OUT_OF_RANGE", err.Error())
		}
		return vm.ToValue(lo + n.Int64())
	})
	_ = o.Set("timingSafeEqual", func(c goja.FunctionCall) goja.Value {
		a, b := c.Argument(0), c.Argument(1)
		if !in.isBinary(a) || !in.isBinary(b) {
			panic(vm.NewTypeError("The \"buf1\" and \"buf2\" arguments must be instances of Buffer, TypedArray, or DataView"))
		}
		ab, bb := in.bytesOf(a), in.bytesOf(b)
		if len(ab) != len(bb) {
			e := in.newError("Input buffers must have the same byte length", "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH")
			_ = e.Set("name", "RangeError")
			panic(e)
		}
		return vm.ToValue(subtle.ConstantTimeCompare(ab, bb) == 1)
	})
	_ = o.Set("pbkdf2", func(c goja.FunctionCall) goja.Value {
		pw := in.dataArg(c.Argument(0), goja.Undefined(), "password")
		salt := in.dataArg(c.Argument(1), goja.Undefined(), "salt")
		iter, keylen := c.Argument(2).ToInteger(), c.Argument(3).ToInteger()
		f := hashFunc(c.Argument(4).String())
		if f == nil {
			fail("ERR_CRYPTO_INVALID_DIGEST", "Invalid digest: "+c.Argument(4).String())
		}
		if iter < 1 || iter > maxPBKDF2Iterations {
			fail("ERR_OUT_OF_RANGE", "The value of \"iterations\" is out of range. It must be >= 1 && <= "+itoa(maxPBKDF2Iterations)+" in Minicloud. Received "+itoa(int(iter)))
		}
		if keylen < 0 || keylen > 1<<20 {
			fail("ERR_OUT_OF_RANGE", "The value of \"keylen\" is out of range")
		}
		key, err := pbkdf2.Key(f, string(pw), salt, int(iter), int(keylen))
		if err != nil {
			fail("ERR_CRYPTO_INVALID_KEYLEN", err.Error())
		}
		return vm.ToValue(vm.NewArrayBuffer(key))
	})

	_ = o.Set("cipherNew", func(c goja.FunctionCall) goja.Value {
		alg := strings.ToLower(c.Argument(0).String())
		parts := strings.Split(alg, "-")
		if len(parts) != 3 || parts[0] != "aes" {
			fail("ERR_CRYPTO_UNKNOWN_CIPHER", "Unknown cipher: "+alg)
		}
		bits := map[string]int{"128": 16, "192": 24, "256": 32}[parts[1]]
		mode := parts[2]
		if bits == 0 || (mode != "cbc" && mode != "ecb" && mode != "gcm") {
			fail("ERR_CRYPTO_UNKNOWN_CIPHER", "Unknown cipher: "+alg)
		}
		key := in.secretArg(c.Argument(1), "key")
		if len(key) != bits {
			fail("ERR_CRYPTO_INVALID_KEYLEN", "Invalid key length")
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			fail("ERR_CRYPTO_INVALID_KEYLEN", err.Error())
		}
		h := &cipherHandle{encrypt: c.Argument(3).ToBoolean(), mode: mode, block: block, padding: true}
		if iv := c.Argument(2); !goja.IsNull(iv) && !goja.IsUndefined(iv) {
			h.iv = append([]byte(nil), in.dataArg(iv, goja.Undefined(), "iv")...)
		}
		switch mode {
		case "cbc":
			if len(h.iv) != aes.BlockSize {
				fail("ERR_CRYPTO_INVALID_IV", "Invalid initialization vector")
			}
			if h.encrypt {
				h.cbc = cipher.NewCBCEncrypter(block, h.iv)
			} else {
				h.cbc = cipher.NewCBCDecrypter(block, h.iv)
			}
		case "gcm":
			if len(h.iv) == 0 {
				fail("ERR_CRYPTO_INVALID_IV", "Invalid initialization vector")
			}
			h.aead, err = cipher.NewGCMWithNonceSize(block, len(h.iv))
			if err != nil {
				fail("ERR_CRYPTO_INVALID_IV", err.Error())
			}
		}
		return vm.ToValue(h)
	})
	_ = o.Set("cipherUpdate", func(c goja.FunctionCall) goja.Value {
		h := cipherOf(c.Argument(0))
		if h.done {
			fail("ERR_CRYPTO_INVALID_STATE", "Cipher has already been finalized")
		}
		h.pending = append(h.pending, in.dataArg(c.Argument(1), c.Argument(2), "data")...)
		var out []byte
		if h.mode != "gcm" {
			n := len(h.pending) / aes.BlockSize * aes.BlockSize
			if !h.encrypt && h.padding && n == len(h.pending) && n > 0 {
				n -= aes.BlockSize // keep the last block for unpadding
			}
			out = h.blocks(h.pending[:n])
			h.pending = append(h.pending[:0], h.pending[n:]...)
		}
		return in.output(out, c.Argument(3))
	})
	_ = o.Set("cipherFinal", func(c goja.FunctionCall) goja.Value {
		h := cipherOf(c.Argument(0))
		if h.done {
			fail("ERR_CRYPTO_INVALID_STATE", "Cipher has already been finalized")
		}
		h.done = true
		var out []byte
		switch {
		case h.mode == "gcm" && h.encrypt:
			sealed := h.aead.Seal(nil, h.iv, h.pending, h.aad)
			out, h.tag = sealed[:len(sealed)-h.aead.Overhead()], sealed[len(sealed)-h.aead.Overhead():]
		case h.mode == "gcm":
			if len(h.tag) == 0 {
				fail("ERR_CRYPTO_INVALID_STATE", "Unsupported state or unable to authenticate data")
			}
			plain, err := h.aead.Open(nil, h.iv, append(h.pending, h.tag...), h.aad)
			if err != nil {
				fail("ERR_CRYPTO_INVALID_STATE", "Unsupported state or unable to authenticate data")
			}
			out = plain
		case h.encrypt:
			data := h.pending
			if h.padding {
				p := aes.BlockSize - len(data)%aes.BlockSize
				for i := 0; i < p; i++ {
					data = append(data, byte(p))
				}
			} else if len(data)%aes.BlockSize != 0 {
				fail("ERR_OSSL_WRONG_FINAL_BLOCK_LENGTH", "wrong final block length")
			}
			out = h.blocks(data)
		default:
			if len(h.pending)%aes.BlockSize != 0 {
				fail("ERR_OSSL_WRONG_FINAL_BLOCK_LENGTH", "wrong final block length")
			}
			out = h.blocks(h.pending)
			if h.padding {
				if len(out) == 0 {
					fail("ERR_OSSL_BAD_DECRYPT", "bad decrypt")
				}
				p := int(out[len(out)-1])
				if p == 0 || p > aes.BlockSize || p > len(out) {
					fail("ERR_OSSL_BAD_DECRYPT", "bad decrypt")
				}
				for _, x := range out[len(out)-p:] {
					if int(x) != p {
						fail("ERR_OSSL_BAD_DECRYPT", "bad decrypt")
					}
				}
				out = out[:len(out)-p]
			}
		}
		h.pending = nil
		return in.output(out, c.Argument(1))
	})
	_ = o.Set("cipherOpt", func(c goja.FunctionCall) goja.Value {
		h := cipherOf(c.Argument(0))
		switch c.Argument(1).String() {
		case "padding":
			h.padding = c.Argument(2).ToBoolean()
		case "aad":
			h.aad = append([]byte(nil), in.dataArg(c.Argument(2), goja.Undefined(), "buffer")...)
		case "tag":
			h.tag = append([]byte(nil), in.dataArg(c.Argument(2), goja.Undefined(), "buffer")...)
		case "getTag":
			if h.tag == nil {
				fail("ERR_CRYPTO_INVALID_STATE", "Invalid state for operation getAuthTag")
			}
			return vm.ToValue(vm.NewArrayBuffer(append([]byte(nil), h.tag...)))
		}
		return goja.Undefined()
	})
	in.keyNatives(o)
	return o
}

// blocks runs whole blocks through the cipher (CBC chaining or ECB).
func (h *cipherHandle) blocks(data []byte) []byte {
	out := make([]byte, len(data))
	if h.mode == "cbc" {
		h.cbc.CryptBlocks(out, data)
		return out
	}
	for i := 0; i+aes.BlockSize <= len(data); i += aes.BlockSize {
		if h.encrypt {
			h.block.Encrypt(out[i:], data[i:i+aes.BlockSize])
		} else {
			h.block.Decrypt(out[i:], data[i:i+aes.BlockSize])
		}
	}
	return out
}

type runtimeErr string

func (e runtimeErr) Error() string { return string(e) }

// newRequestID returns a request ID for an invocation: a UUID (version 7) that rises
// with time (internal/reqid).
func newRequestID() string { return reqid.NewUUID() }
