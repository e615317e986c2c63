package cloudfns

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"reflect"
	"strings"

	"github.com/dop251/goja"
)

// Go halves of require('crypto')'s key APIs: KeyObject (secret, RSA, RSA-PSS, EC on
// the NIST curves, Ed25519), createSign/createVerify and crypto.sign/verify, RSA
// encryption (publicEncrypt and friends) and key-pair generation. A parsed key is a
// *keyHandle that the prelude's KeyObject holds, so it is parsed once; keys given as
// PEM strings straight to sign/verify go through a small per-instance cache. Errors
// carry Node's codes (OpenSSL's for what OpenSSL reports).

const (
	// Key generation runs on the invocation's goroutine, where an interrupt cannot stop
	// it: RSA generation is kept to the sizes people use (4096 bits takes up to a second or so).
	minRSAGenerateBits = 2048
	maxRSAGenerateBits = 4096
	// OpenSSL's bound for RSA keys (OPENSSL_RSA_MAX_MODULUS_BITS): a bigger modulus makes
	// every public-key operation slow.
	maxRSAModulusBits = 16384
	// Key texts parsed per instance and kept (WeChat Pay code passes the same PEM on every
	// request): at most this many, each at most maxKeyCacheText long.
	maxKeyCacheEntries = 16
	maxKeyCacheText    = 16 << 10
)

// Node's crypto.constants for RSA padding and PSS salt lengths.
const (
	rsaPKCS1Padding = 1
	rsaNoPadding    = 3
	rsaOAEPPadding  = 4
	rsaPSSPadding   = 6
	pssSaltDigest   = -1 // RSA_PSS_SALTLEN_DIGEST
	pssSaltMaxSign  = -2 // RSA_PSS_SALTLEN_MAX_SIGN, also RSA_PSS_SALTLEN_AUTO
	pssSaltMax      = -3 // OpenSSL 3's RSA_PSS_SALTLEN_MAX
)

// keyHandle is a parsed key. It never changes after creation, so KeyObjects and the
// cache share handles freely.
type keyHandle struct {
	kind   string // "secret", "private" or "public"
	alg    string // "rsa", "rsa-pss", "ec" or "ed25519"; "" for secret keys
	secret []byte
	priv   crypto.Signer    // private keys: *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey
	pub    crypto.PublicKey // asymmetric keys: *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
	pss    *pssParams       // an rsa-pss key's restrictions; nil when it has none
	// ecParams are an EC key's explicit curve parameters (SEC 1's SpecifiedECDomain)
	// when it was read with them rather than with the curve's name: OpenSSL writes
	// it back the same way.
	ecParams []byte
}

// pssParams are the RSASSA-PSS-params of an rsa-pss key (RFC 4055).
type pssParams struct {
	hash, mgf1 crypto.Hash
	saltLength int
}

var typeKeyHandle = reflect.TypeOf((*keyHandle)(nil))

// keyError is a failure reported to JavaScript as an Error (or TypeError, RangeError)
// with Node's code.
type keyError struct {
	code, msg       string
	ctor            string // "", "TypeError" or "RangeError"
	library, reason string // set on errors that Node reports from OpenSSL
}

func (e *keyError) Error() string { return e.msg }

func osslError(code, id, library, reason string) *keyError {
	return &keyError{code: code, msg: "error:" + id + ":" + library + "::" + reason, library: library, reason: reason}
}

func unsupported(what string) *keyError {
	return &keyError{code: "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", msg: what + " not supported in Minicloud"}
}

func invalidValue(prop string, got string) *keyError {
	return &keyError{code: "ERR_INVALID_ARG_VALUE", ctor: "TypeError", msg: "The property '" + prop + "' is invalid. Received " + got}
}

var (
	errKeyDecode        = osslError("ERR_OSSL_UNSUPPORTED", "1E08010C", "DECODER routines", "unsupported")
	errDataTooLarge     = osslError("ERR_OSSL_RSA_DATA_TOO_LARGE_FOR_KEY_SIZE", "0200006E", "rsa routines", "data too large for key size")
	errOAEPDecoding     = osslError("ERR_OSSL_RSA_OAEP_DECODING_ERROR", "02000079", "rsa routines", "oaep decoding error")
	errInvalidPadding   = osslError("ERR_OSSL_RSA_INVALID_PADDING", "0200008A", "rsa routines", "invalid padding")
	errMissingPrivate   = osslError("ERR_OSSL_RSA_MISSING_PRIVATE_KEY", "020000B3", "rsa routines", "missing private key")
	errPaddingMode      = osslError("ERR_OSSL_ILLEGAL_OR_UNSUPPORTED_PADDING_MODE", "1C8000A5", "Provider routines", "illegal or unsupported padding mode")
	errDigestNotAllowed = osslError("ERR_OSSL_DIGEST_NOT_ALLOWED", "1C8000AE", "Provider routines", "digest not allowed")
	errSaltTooSmall     = osslError("ERR_OSSL_PSS_SALTLEN_TOO_SMALL", "1C8000AC", "Provider routines", "pss saltlen too small")
	errInvalidSalt      = osslError("ERR_OSSL_INVALID_SALT_LENGTH", "1C800070", "Provider routines", "invalid salt length")
	errInvalidDigest    = osslError("ERR_OSSL_INVALID_DIGEST", "1C80007A", "Provider routines", "invalid digest")
	errKeyTypeOp        = osslError("ERR_OSSL_EVP_OPERATION_NOT_SUPPORTED_FOR_THIS_KEYTYPE", "03000096", "digital envelope routines", "operation not supported for this keytype")
	errPSSKeyTypeOp     = osslError("ERR_OSSL_OPERATION_NOT_SUPPORTED_FOR_THIS_KEYTYPE", "1C8000B2", "Provider routines", "operation not supported for this keytype")
	errUnsupportedOp    = &keyError{code: "ERR_CRYPTO_UNSUPPORTED_OPERATION", msg: "Unsupported crypto operation"}
	errEncryptedKey     = &keyError{code: "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM", msg: "Encrypted private keys are not supported in Minicloud: store the key unencrypted (openssl pkey -in key.pem -out plain.pem)"}
	errModulusTooLarge  = &keyError{code: "ERR_OSSL_RSA_MODULUS_TOO_LARGE", msg: "RSA keys larger than " + itoa(maxRSAModulusBits) + " bits are not supported"}
)

// ---- Algorithms ----

var (
	oidRSA         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAPSS      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidEd25519     = asn1.ObjectIdentifier{1, 3, 101, 112}
)

// Key algorithms Node knows and Minicloud does not, by OID.
var unsupportedKeyOIDs = map[string]string{
	"1.3.101.110": "x25519", "1.3.101.111": "x448", "1.3.101.113": "ed448",
	"1.2.840.10040.4.1": "dsa", "1.2.840.113549.1.3.1": "dh", "1.2.840.10046.2.1": "dhx",
}

type curveInfo struct {
	curve elliptic.Curve
	name  string // OpenSSL's name (asymmetricKeyDetails.namedCurve)
	jwk   string // JWK crv; "" when JWK has none
	oid   asn1.ObjectIdentifier
}

var curves = []curveInfo{
	{elliptic.P256(), "prime256v1", "P-256", asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}},
	{elliptic.P384(), "secp384r1", "P-384", asn1.ObjectIdentifier{1, 3, 132, 0, 34}},
	{elliptic.P521(), "secp521r1", "P-521", asn1.ObjectIdentifier{1, 3, 132, 0, 35}},
	{elliptic.P224(), "secp224r1", "", asn1.ObjectIdentifier{1, 3, 132, 0, 33}},
}

// curveOIDs finds a curve by the text of its OID.
var curveOIDs = func() map[string]elliptic.Curve {
	m := map[string]elliptic.Curve{}
	for _, c := range curves {
		m[c.oid.String()] = c.curve
	}
	return m
}()

const oidSecp256k1 = "1.3.132.0.10"

func curveOf(c elliptic.Curve) curveInfo {
	for _, ci := range curves {
		if ci.curve == c {
			return ci
		}
	}
	return curveInfo{curve: c, name: c.Params().Name}
}

// curveByName accepts OpenSSL's and NIST's names, as generateKeyPair does.
func curveByName(name string) (elliptic.Curve, error) {
	switch name {
	case "prime256v1", "P-256", "secp256r1":
		return elliptic.P256(), nil
	case "secp384r1", "P-384":
		return elliptic.P384(), nil
	case "secp521r1", "P-521":
		return elliptic.P521(), nil
	case "secp224r1", "P-224":
		return elliptic.P224(), nil
	case "secp256k1":
		return nil, unsupported("The secp256k1 curve is")
	}
	return nil, &keyError{code: "ERR_CRYPTO_INVALID_CURVE", ctor: "TypeError", msg: "Invalid EC curve name"}
}

// checkCurveParam accepts the named curves Go implements.
func checkCurveParam(params asn1.RawValue) error {
	var oid asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(params.FullBytes, &oid); err != nil {
		return errKeyDecode // explicit curve parameters
	}
	return checkCurve(oid)
}

// ecDomain is SEC 1's SpecifiedECDomain (explicit curve parameters) over a prime field.
type ecDomain struct {
	Version  int
	Field    ecField
	Curve    ecCurve
	Base     []byte
	Order    *big.Int
	Cofactor *big.Int `asn1:"optional"`
}

type ecField struct {
	Type  asn1.ObjectIdentifier
	Prime *big.Int
}

type ecCurve struct {
	A, B []byte
	Seed asn1.BitString `asn1:"optional"`
}

var oidPrimeField = asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}

// namedCurveOf returns the OID of the named curve that explicit curve parameters
// describe (as OpenSSL matches them), or nil, and the parameters as OpenSSL writes
// them back (the base point uncompressed).
func namedCurveOf(explicit []byte) (asn1.ObjectIdentifier, []byte) {
	var d ecDomain
	if rest, err := asn1.Unmarshal(explicit, &d); err != nil || len(rest) > 0 || !d.Field.Type.Equal(oidPrimeField) || d.Field.Prime == nil || d.Order == nil {
		return nil, nil
	}
	if d.Cofactor != nil && d.Cofactor.Cmp(big.NewInt(1)) != 0 {
		return nil, nil
	}
	for _, c := range curves {
		p := c.curve.Params()
		a := new(big.Int).Sub(p.P, big.NewInt(3)) // a = -3 on the curves Go implements
		if p.P.Cmp(d.Field.Prime) != 0 || a.Cmp(new(big.Int).SetBytes(d.Curve.A)) != 0 ||
			p.B.Cmp(new(big.Int).SetBytes(d.Curve.B)) != 0 || p.N.Cmp(d.Order) != 0 {
			continue
		}
		size := (p.BitSize + 7) / 8
		b := d.Base
		switch {
		case len(b) == 1+2*size && b[0] == 4:
			if p.Gx.Cmp(new(big.Int).SetBytes(b[1:1+size])) != 0 || p.Gy.Cmp(new(big.Int).SetBytes(b[1+size:])) != 0 {
				continue
			}
		case len(b) == 1+size && (b[0] == 2 || b[0] == 3):
			if p.Gx.Cmp(new(big.Int).SetBytes(b[1:])) != 0 || p.Gy.Bit(0) != uint(b[0]&1) {
				continue
			}
		default:
			continue
		}
		if b[0] != 4 {
			d.Base = make([]byte, 1+2*size)
			d.Base[0] = 4
			p.Gx.FillBytes(d.Base[1 : 1+size])
			p.Gy.FillBytes(d.Base[1+size:])
			var err error
			if explicit, err = asn1.Marshal(d); err != nil {
				return nil, nil
			}
		}
		return c.oid, explicit
	}
	return nil, nil
}

// namedAlgorithm returns an EC AlgorithmIdentifier whose explicit curve parameters
// name a curve Go implements rewritten with the curve's OID, and those parameters
// (nil when they were not explicit).
func namedAlgorithm(algo pkix.AlgorithmIdentifier) (pkix.AlgorithmIdentifier, []byte) {
	if !algo.Algorithm.Equal(oidECPublicKey) || algo.Parameters.Tag != asn1.TagSequence {
		return algo, nil
	}
	oid, explicit := namedCurveOf(algo.Parameters.FullBytes)
	if oid == nil {
		return algo, nil
	}
	der, err := asn1.Marshal(oid)
	if err != nil {
		return algo, nil
	}
	algo.Parameters = asn1.RawValue{FullBytes: der}
	return algo, explicit
}

// withExplicitParams re-encodes DER that Go wrote (an SPKI or PKCS#8 envelope, or an
// ECPrivateKey) with k's explicit curve parameters in place of the curve's name.
func (k *keyHandle) withExplicitParams(der []byte, typ string) ([]byte, error) {
	if k.ecParams == nil {
		return der, nil
	}
	params := asn1.RawValue{FullBytes: k.ecParams}
	switch typ {
	case "spki":
		var env spkiEnvelope
		if _, err := asn1.Unmarshal(der, &env); err != nil {
			return nil, err
		}
		env.Algo.Parameters = params
		return asn1.Marshal(env)
	case "pkcs8":
		var env pkcs8Envelope
		if _, err := asn1.Unmarshal(der, &env); err != nil {
			return nil, err
		}
		env.Algo.Parameters = params
		return asn1.Marshal(env)
	}
	var key sec1Key
	if _, err := asn1.Unmarshal(der, &key); err != nil {
		return nil, err
	}
	key.Params = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: k.ecParams}
	return asn1.Marshal(key)
}

func checkCurve(oid asn1.ObjectIdentifier) error {
	if curveOIDs[oid.String()] != nil {
		return nil
	}
	if oid.String() == oidSecp256k1 {
		return unsupported("The secp256k1 curve is")
	}
	return unsupported("The elliptic curve " + oid.String() + " is")
}

// digestByName maps Node's digest names (createSign's 'RSA-SHA256', 'sha256',
// 'sha256WithRSAEncryption'…) to a hash.
func digestByName(name string) (crypto.Hash, bool) {
	s := strings.TrimPrefix(strings.ToLower(name), "rsa-")
	if t, ok := strings.CutSuffix(s, "withrsaencryption"); ok {
		if strings.HasPrefix(t, "sha3-") { // OpenSSL has no such names for SHA-3
			return 0, false
		}
		s = t
	}
	switch s {
	case "md5":
		return crypto.MD5, true
	case "sha1", "sha-1":
		return crypto.SHA1, true
	case "sha224", "sha-224":
		return crypto.SHA224, true
	case "sha256", "sha-256":
		return crypto.SHA256, true
	case "sha384", "sha-384":
		return crypto.SHA384, true
	case "sha512", "sha-512":
		return crypto.SHA512, true
	case "sha512-256":
		return crypto.SHA512_256, true
	case "sha3-224":
		return crypto.SHA3_224, true
	case "sha3-256":
		return crypto.SHA3_256, true
	case "sha3-384":
		return crypto.SHA3_384, true
	case "sha3-512":
		return crypto.SHA3_512, true
	}
	return 0, false
}

var digestNames = map[crypto.Hash]string{
	crypto.MD5: "md5", crypto.SHA1: "sha1", crypto.SHA224: "sha224", crypto.SHA256: "sha256",
	crypto.SHA384: "sha384", crypto.SHA512: "sha512", crypto.SHA512_256: "sha512-256",
	crypto.SHA3_224: "sha3-224", crypto.SHA3_256: "sha3-256", crypto.SHA3_384: "sha3-384", crypto.SHA3_512: "sha3-512",
}

var digestOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA1:       {1, 3, 14, 3, 2, 26},
	crypto.SHA224:     {2, 16, 840, 1, 101, 3, 4, 2, 4},
	crypto.SHA256:     {2, 16, 840, 1, 101, 3, 4, 2, 1},
	crypto.SHA384:     {2, 16, 840, 1, 101, 3, 4, 2, 2},
	crypto.SHA512:     {2, 16, 840, 1, 101, 3, 4, 2, 3},
	crypto.SHA512_256: {2, 16, 840, 1, 101, 3, 4, 2, 6},
}

func digestByOID(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for h, o := range digestOIDs {
		if o.Equal(oid) {
			return h, true
		}
	}
	return 0, false
}

// ---- Parsing ----

// pkcs8Envelope is PKCS#8's PrivateKeyInfo (later fields, if any, are ignored).
type pkcs8Envelope struct {
	Version int
	Algo    pkix.AlgorithmIdentifier
	Key     []byte
}

type spkiEnvelope struct {
	Algo      pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// sec1Key is SEC 1's ECPrivateKey with its parameters as they are.
type sec1Key struct {
	Version    int
	PrivateKey []byte
	Params     asn1.RawValue  `asn1:"optional"`
	PublicKey  asn1.BitString `asn1:"optional,explicit,tag:1"`
}

type sec1Envelope struct {
	Version    int
	PrivateKey []byte
	Curve      asn1.ObjectIdentifier `asn1:"optional,explicit,tag:0"`
}

type pssParamsASN1 struct {
	Hash       pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:0"`
	MGF        pkix.AlgorithmIdentifier `asn1:"optional,explicit,tag:1"`
	SaltLength int                      `asn1:"optional,explicit,tag:2,default:20"`
	Trailer    int                      `asn1:"optional,explicit,tag:3,default:1"`
}

// pemKeyTypes maps PEM block types to parseKeyDER's.
var pemKeyTypes = map[string]string{
	"PRIVATE KEY": "pkcs8", "RSA PRIVATE KEY": "pkcs1", "EC PRIVATE KEY": "sec1",
	"PUBLIC KEY": "spki", "RSA PUBLIC KEY": "pkcs1-public", "CERTIFICATE": "certificate",
	"ENCRYPTED PRIVATE KEY": "encrypted",
}

// parseKeyPEM reads the first key in PEM text: a private key block when private, else
// also a public key or a certificate (a private key then gives its public half).
func parseKeyPEM(text []byte, private bool) (*keyHandle, error) {
	for rest := text; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, errKeyDecode
		}
		typ, ok := pemKeyTypes[b.Type]
		if !ok || (private && (typ == "spki" || typ == "pkcs1-public" || typ == "certificate")) {
			continue
		}
		if typ == "encrypted" || strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED") {
			return nil, errEncryptedKey
		}
		k, err := parseKeyDER(b.Bytes, typ)
		if err != nil {
			return nil, err
		}
		if !private {
			k = k.public()
		}
		return k, nil
	}
}

// parseKeyDERAs reads DER of the type a caller named (createPrivateKey({format: 'der'})).
func parseKeyDERAs(der []byte, typ string, private bool) (*keyHandle, error) {
	if typ == "pkcs1" && !private {
		if k, err := parseKeyDER(der, "pkcs1-public"); err == nil {
			return k, nil
		}
	}
	k, err := parseKeyDER(der, typ)
	if err != nil {
		return nil, err
	}
	if !private {
		k = k.public()
	}
	return k, nil
}

func parseKeyDER(der []byte, typ string) (*keyHandle, error) {
	switch typ {
	case "pkcs8":
		return parsePKCS8(der)
	case "pkcs1":
		if err := checkRSAPrivateSize(der); err != nil {
			return nil, err
		}
		k, err := x509.ParsePKCS1PrivateKey(der)
		if err != nil {
			return nil, errKeyDecode
		}
		return newRSAKey(k, &k.PublicKey, false, nil)
	case "sec1":
		var explicit []byte
		var key sec1Key
		if _, err := asn1.Unmarshal(der, &key); err == nil && key.Params.Class == asn1.ClassContextSpecific && key.Params.Tag == 0 {
			var inner asn1.RawValue
			if rest, err := asn1.Unmarshal(key.Params.Bytes, &inner); err == nil && len(rest) == 0 && inner.Tag == asn1.TagSequence {
				if oid, params := namedCurveOf(inner.FullBytes); oid != nil {
					named, err := asn1.Marshal(oid)
					if err != nil {
						return nil, errKeyDecode
					}
					key.Params.Bytes, key.Params.FullBytes, explicit = named, nil, params
					if der, err = asn1.Marshal(key); err != nil {
						return nil, errKeyDecode
					}
				}
			}
		}
		var env sec1Envelope
		if _, err := asn1.Unmarshal(der, &env); err != nil {
			return nil, errKeyDecode
		}
		if len(env.Curve) > 0 {
			if err := checkCurve(env.Curve); err != nil {
				return nil, err
			}
		}
		k, err := x509.ParseECPrivateKey(der)
		if err != nil {
			return nil, errKeyDecode
		}
		h, err := newPrivateKey(k)
		if err == nil {
			h.ecParams = explicit
		}
		return h, err
	case "spki":
		return parseSPKI(der)
	case "pkcs1-public":
		k, err := x509.ParsePKCS1PublicKey(der)
		if err != nil {
			return nil, errKeyDecode
		}
		return newRSAKey(nil, k, false, nil)
	case "certificate":
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, errKeyDecode
		}
		return parseSPKI(cert.RawSubjectPublicKeyInfo)
	}
	return nil, errKeyDecode
}

func parsePKCS8(der []byte) (*keyHandle, error) {
	var env pkcs8Envelope
	if _, err := asn1.Unmarshal(der, &env); err != nil {
		return nil, errKeyDecode
	}
	var explicit []byte
	if env.Algo, explicit = namedAlgorithm(env.Algo); explicit != nil {
		var err error
		if der, err = asn1.Marshal(env); err != nil {
			return nil, errKeyDecode
		}
	}
	switch oid := env.Algo.Algorithm; {
	case oid.Equal(oidRSAPSS): // Go's x509 does not know RSA-PSS keys
		params, err := parsePSSParams(env.Algo.Parameters)
		if err != nil {
			return nil, err
		}
		if err := checkRSAPrivateSize(env.Key); err != nil {
			return nil, err
		}
		k, err := x509.ParsePKCS1PrivateKey(env.Key)
		if err != nil {
			return nil, errKeyDecode
		}
		return newRSAKey(k, &k.PublicKey, true, params)
	case oid.Equal(oidECPublicKey):
		if err := checkCurveParam(env.Algo.Parameters); err != nil {
			return nil, err
		}
	case oid.Equal(oidRSA):
		if err := checkRSAPrivateSize(env.Key); err != nil {
			return nil, err
		}
	case oid.Equal(oidEd25519):
	default:
		return nil, unsupportedAlgorithm(oid)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, errKeyDecode
	}
	h, err := newPrivateKey(k)
	if err == nil {
		h.ecParams = explicit
	}
	return h, err
}

func parseSPKI(der []byte) (*keyHandle, error) {
	var env spkiEnvelope
	if _, err := asn1.Unmarshal(der, &env); err != nil {
		return nil, errKeyDecode
	}
	var explicit []byte
	if env.Algo, explicit = namedAlgorithm(env.Algo); explicit != nil {
		var err error
		if der, err = asn1.Marshal(env); err != nil {
			return nil, errKeyDecode
		}
	}
	switch oid := env.Algo.Algorithm; {
	case oid.Equal(oidRSAPSS):
		params, err := parsePSSParams(env.Algo.Parameters)
		if err != nil {
			return nil, err
		}
		k, err := x509.ParsePKCS1PublicKey(env.PublicKey.RightAlign())
		if err != nil {
			return nil, errKeyDecode
		}
		return newRSAKey(nil, k, true, params)
	case oid.Equal(oidECPublicKey):
		if err := checkCurveParam(env.Algo.Parameters); err != nil {
			return nil, err
		}
	case oid.Equal(oidRSA), oid.Equal(oidEd25519):
	default:
		return nil, unsupportedAlgorithm(oid)
	}
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, errKeyDecode
	}
	switch pub := k.(type) {
	case *rsa.PublicKey:
		return newRSAKey(nil, pub, false, nil)
	case *ecdsa.PublicKey:
		return &keyHandle{kind: "public", alg: "ec", pub: pub, ecParams: explicit}, nil
	case ed25519.PublicKey:
		return &keyHandle{kind: "public", alg: "ed25519", pub: pub}, nil
	}
	return nil, errKeyDecode
}

// checkRSAPrivateSize bounds the modulus of a PKCS#1 RSAPrivateKey before Go parses
// it: parsing validates the key, in time that grows with the modulus and that no
// interrupt can stop.
func checkRSAPrivateSize(der []byte) error {
	var head struct {
		Version int
		N       asn1.RawValue
	}
	if _, err := asn1.Unmarshal(der, &head); err != nil {
		return errKeyDecode
	}
	if len(head.N.Bytes) > maxRSAModulusBits/8+1 { // +1: a leading zero byte
		return errModulusTooLarge
	}
	return nil
}

func unsupportedAlgorithm(oid asn1.ObjectIdentifier) error {
	if name, ok := unsupportedKeyOIDs[oid.String()]; ok {
		return unsupported(name + " keys are")
	}
	return errKeyDecode
}

// parsePSSParams reads RSASSA-PSS-params; absent parameters mean an unrestricted key.
func parsePSSParams(raw asn1.RawValue) (*pssParams, error) {
	if len(raw.FullBytes) == 0 {
		return nil, nil
	}
	var p pssParamsASN1
	if rest, err := asn1.Unmarshal(raw.FullBytes, &p); err != nil || len(rest) > 0 || p.Trailer != 1 || p.SaltLength < 0 {
		return nil, errKeyDecode
	}
	out := &pssParams{hash: crypto.SHA1, mgf1: crypto.SHA1, saltLength: p.SaltLength}
	if len(p.Hash.Algorithm) > 0 {
		h, ok := digestByOID(p.Hash.Algorithm)
		if !ok {
			return nil, errKeyDecode
		}
		out.hash = h
	}
	if len(p.MGF.Algorithm) > 0 {
		var mh pkix.AlgorithmIdentifier
		if !p.MGF.Algorithm.Equal(oidMGF1) {
			return nil, errKeyDecode
		}
		if _, err := asn1.Unmarshal(p.MGF.Parameters.FullBytes, &mh); err != nil {
			return nil, errKeyDecode
		}
		h, ok := digestByOID(mh.Algorithm)
		if !ok {
			return nil, errKeyDecode
		}
		out.mgf1 = h
	}
	return out, nil
}

// pssAlgorithm is the AlgorithmIdentifier of an rsa-pss key, for export.
func pssAlgorithm(p *pssParams) (pkix.AlgorithmIdentifier, error) {
	algo := pkix.AlgorithmIdentifier{Algorithm: oidRSAPSS}
	if p == nil {
		return algo, nil
	}
	v := pssParamsASN1{SaltLength: p.saltLength, Trailer: 1}
	if p.hash != crypto.SHA1 { // SHA-1 is the default, which DER leaves out
		v.Hash = pkix.AlgorithmIdentifier{Algorithm: digestOIDs[p.hash], Parameters: asn1.NullRawValue}
	}
	if p.mgf1 != crypto.SHA1 {
		mh, err := asn1.Marshal(pkix.AlgorithmIdentifier{Algorithm: digestOIDs[p.mgf1], Parameters: asn1.NullRawValue})
		if err != nil {
			return algo, err
		}
		v.MGF = pkix.AlgorithmIdentifier{Algorithm: oidMGF1, Parameters: asn1.RawValue{FullBytes: mh}}
	}
	b, err := asn1.Marshal(v)
	algo.Parameters = asn1.RawValue{FullBytes: b}
	return algo, err
}

func newRSAKey(priv *rsa.PrivateKey, pub *rsa.PublicKey, isPSS bool, params *pssParams) (*keyHandle, error) {
	if pub.N.BitLen() > maxRSAModulusBits {
		return nil, errModulusTooLarge
	}
	k := &keyHandle{kind: "public", alg: "rsa", pub: pub}
	if isPSS {
		k.alg, k.pss = "rsa-pss", params
	}
	if priv != nil {
		k.kind, k.priv = "private", priv
	}
	return k, nil
}

func newPrivateKey(k any) (*keyHandle, error) {
	switch priv := k.(type) {
	case *rsa.PrivateKey:
		return newRSAKey(priv, &priv.PublicKey, false, nil)
	case *ecdsa.PrivateKey:
		return &keyHandle{kind: "private", alg: "ec", priv: priv, pub: &priv.PublicKey}, nil
	case ed25519.PrivateKey:
		return &keyHandle{kind: "private", alg: "ed25519", priv: priv, pub: priv.Public()}, nil
	}
	return nil, errKeyDecode
}

// public returns the public half of a private key (k itself otherwise).
func (k *keyHandle) public() *keyHandle {
	if k.kind != "private" {
		return k
	}
	return &keyHandle{kind: "public", alg: k.alg, pub: k.pub, pss: k.pss, ecParams: k.ecParams}
}

// ---- JWK ----

// jwkGetter reads a JWK member: its value, whether it is there, and whether it is a
// string.
type jwkGetter func(name string) (value string, present, ok bool)

func jwkBytes(get jwkGetter, name string) ([]byte, error) {
	s, present, ok := get(name)
	if !ok {
		got := "undefined"
		if present {
			got = "a value of another type"
		}
		return nil, &keyError{code: "ERR_INVALID_ARG_TYPE", ctor: "TypeError", msg: "The \"key." + name + "\" property must be of type string. Received " + got}
	}
	// Node decodes members as Buffer.from(s, 'base64') does: base64url or standard
	// base64, padding optional, other characters skipped.
	return decodeBase64Loose(s), nil
}

// parseJWK reads a JSON Web Key (RSA, EC or OKP/Ed25519); a public key ignores the
// private members.
func parseJWK(get jwkGetter, private bool) (*keyHandle, error) {
	kty, present, isStr := get("kty")
	var fields []string
	switch kty {
	case "RSA":
		fields = []string{"n", "e"}
		if private {
			fields = append(fields, "d", "p", "q", "dp", "dq", "qi")
		}
	case "EC":
		fields = []string{"x", "y"}
	case "OKP":
		fields = []string{"x"}
	default:
		return nil, &keyError{code: "ERR_INVALID_ARG_VALUE", ctor: "TypeError", msg: "The property 'key.kty' must be one of: 'RSA', 'EC', 'OKP'. Received " + describeJWKValue(kty, present, isStr)}
	}
	if private && kty != "RSA" {
		fields = append(fields, "d")
	}
	v := map[string][]byte{}
	for _, f := range fields {
		b, err := jwkBytes(get, f)
		if err != nil {
			return nil, err
		}
		v[f] = b
	}
	switch kty {
	case "RSA":
		return rsaFromJWK(v, private)
	case "EC":
		crv, present, isStr := get("crv")
		var ci *curveInfo
		for i := range curves {
			if curves[i].jwk != "" && curves[i].jwk == crv && isStr {
				ci = &curves[i]
			}
		}
		if ci == nil {
			if crv == "secp256k1" {
				return nil, unsupported("The secp256k1 curve is")
			}
			return nil, &keyError{code: "ERR_INVALID_ARG_VALUE", ctor: "TypeError", msg: "The property 'key.crv' must be one of: 'P-256', 'secp256k1', 'P-384', 'P-521'. Received " + describeJWKValue(crv, present, isStr)}
		}
		size := (ci.curve.Params().BitSize + 7) / 8
		invalid := &keyError{code: "ERR_CRYPTO_INVALID_JWK", ctor: "TypeError", msg: "Invalid JWK EC key"}
		if len(v["x"]) != size || len(v["y"]) != size {
			return nil, invalid
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(ci.curve, append(append([]byte{4}, v["x"]...), v["y"]...))
		if err != nil {
			return nil, invalid
		}
		if !private {
			return &keyHandle{kind: "public", alg: "ec", pub: pub}, nil
		}
		priv, err := ecdsa.ParseRawPrivateKey(ci.curve, v["d"])
		if err != nil || !priv.PublicKey.Equal(pub) {
			return nil, invalid
		}
		return newPrivateKey(priv)
	default: // OKP
		if crv, _, _ := get("crv"); crv != "Ed25519" {
			return nil, unsupported("JWK OKP keys other than Ed25519 are")
		}
		invalid := &keyError{code: "ERR_CRYPTO_INVALID_JWK", ctor: "TypeError", msg: "Invalid JWK data"}
		if !private {
			if len(v["x"]) != ed25519.PublicKeySize {
				return nil, invalid
			}
			return &keyHandle{kind: "public", alg: "ed25519", pub: ed25519.PublicKey(v["x"])}, nil
		}
		if len(v["d"]) != ed25519.SeedSize { // as Node, a private key is d alone (x is ignored)
			return nil, invalid
		}
		return newPrivateKey(ed25519.NewKeyFromSeed(v["d"]))
	}
}

func describeJWKValue(s string, present, isStr bool) string {
	switch {
	case !present:
		return "undefined"
	case !isStr:
		return "a value of another type"
	}
	return "'" + s + "'"
}

func rsaFromJWK(v map[string][]byte, private bool) (*keyHandle, error) {
	invalid := &keyError{code: "ERR_CRYPTO_INVALID_JWK", ctor: "TypeError", msg: "Invalid JWK RSA key"}
	n, e := new(big.Int).SetBytes(v["n"]), new(big.Int).SetBytes(v["e"])
	if n.Sign() == 0 || e.BitLen() > 31 || e.Int64() < 3 {
		return nil, invalid
	}
	pub := &rsa.PublicKey{N: n, E: int(e.Int64())}
	if n.BitLen() > maxRSAModulusBits {
		return nil, errModulusTooLarge
	}
	if !private {
		return newRSAKey(nil, pub, false, nil)
	}
	priv := &rsa.PrivateKey{PublicKey: *pub, D: new(big.Int).SetBytes(v["d"]),
		Primes: []*big.Int{new(big.Int).SetBytes(v["p"]), new(big.Int).SetBytes(v["q"])}}
	if err := priv.Validate(); err != nil {
		return nil, invalid
	}
	priv.Precompute()
	return newRSAKey(priv, &priv.PublicKey, false, nil)
}

// ---- Export ----

// exportDER encodes k as typ ("pkcs1", "pkcs8", "sec1" or "spki") and names its PEM block.
func (k *keyHandle) exportDER(typ string) ([]byte, string, error) {
	only := func(what string) ([]byte, string, error) {
		return nil, "", &keyError{code: "ERR_CRYPTO_INCOMPATIBLE_KEY_OPTIONS", msg: "The selected key encoding " + typ + " can only be used for " + what + " keys."}
	}
	var der []byte
	var err error
	switch {
	case k.kind == "private" && typ == "pkcs1":
		if k.alg != "rsa" {
			return only("RSA")
		}
		return x509.MarshalPKCS1PrivateKey(k.priv.(*rsa.PrivateKey)), "RSA PRIVATE KEY", nil
	case k.kind == "private" && typ == "sec1":
		if k.alg != "ec" {
			return only("EC")
		}
		if der, err = x509.MarshalECPrivateKey(k.priv.(*ecdsa.PrivateKey)); err == nil {
			der, err = k.withExplicitParams(der, "sec1")
		}
		return der, "EC PRIVATE KEY", err
	case k.kind == "private" && typ == "pkcs8":
		if k.alg == "rsa-pss" {
			algo, err := pssAlgorithm(k.pss)
			if err != nil {
				return nil, "", err
			}
			der, err = asn1.Marshal(pkcs8Envelope{Algo: algo, Key: x509.MarshalPKCS1PrivateKey(k.priv.(*rsa.PrivateKey))})
			return der, "PRIVATE KEY", err
		}
		if der, err = x509.MarshalPKCS8PrivateKey(k.priv); err == nil {
			der, err = k.withExplicitParams(der, "pkcs8")
		}
		return der, "PRIVATE KEY", err
	case k.kind == "public" && typ == "pkcs1":
		if k.alg != "rsa" {
			return only("RSA")
		}
		return x509.MarshalPKCS1PublicKey(k.pub.(*rsa.PublicKey)), "RSA PUBLIC KEY", nil
	case k.kind == "public" && typ == "spki":
		if k.alg == "rsa-pss" {
			algo, err := pssAlgorithm(k.pss)
			if err != nil {
				return nil, "", err
			}
			inner := x509.MarshalPKCS1PublicKey(k.pub.(*rsa.PublicKey))
			der, err = asn1.Marshal(spkiEnvelope{Algo: algo, PublicKey: asn1.BitString{Bytes: inner, BitLength: 8 * len(inner)}})
			return der, "PUBLIC KEY", err
		}
		if der, err = x509.MarshalPKIXPublicKey(k.pub); err == nil {
			der, err = k.withExplicitParams(der, "spki")
		}
		return der, "PUBLIC KEY", err
	}
	return nil, "", invalidValue("options.type", "'"+typ+"'")
}

// exportJWK returns k's JSON Web Key members in Node's order.
func (k *keyHandle) exportJWK() ([][2]string, error) {
	b64 := base64.RawURLEncoding.EncodeToString
	num := func(x *big.Int) string { return b64(x.Bytes()) }
	switch k.alg {
	case "":
		return [][2]string{{"kty", "oct"}, {"k", b64(k.secret)}}, nil
	case "rsa":
		pub := k.pub.(*rsa.PublicKey)
		out := [][2]string{{"kty", "RSA"}, {"n", num(pub.N)}, {"e", num(big.NewInt(int64(pub.E)))}}
		if priv, ok := k.priv.(*rsa.PrivateKey); ok {
			if len(priv.Primes) != 2 {
				return nil, unsupported("JWK export of multi-prime RSA keys is")
			}
			p, q, one := priv.Primes[0], priv.Primes[1], big.NewInt(1)
			dp := new(big.Int).Mod(priv.D, new(big.Int).Sub(p, one))
			dq := new(big.Int).Mod(priv.D, new(big.Int).Sub(q, one))
			qi := new(big.Int).ModInverse(q, p)
			out = append(out, [2]string{"d", num(priv.D)}, [2]string{"p", num(p)}, [2]string{"q", num(q)},
				[2]string{"dp", num(dp)}, [2]string{"dq", num(dq)}, [2]string{"qi", num(qi)})
		}
		return out, nil
	case "ec":
		pub := k.pub.(*ecdsa.PublicKey)
		ci := curveOf(pub.Curve)
		if ci.jwk == "" {
			return nil, &keyError{code: "ERR_CRYPTO_JWK_UNSUPPORTED_CURVE", msg: "Unsupported JWK EC curve: " + ci.name + "."}
		}
		pt, err := pub.Bytes()
		if err != nil {
			return nil, err
		}
		size := (len(pt) - 1) / 2
		out := [][2]string{{"kty", "EC"}, {"x", b64(pt[1 : 1+size])}, {"y", b64(pt[1+size:])}, {"crv", ci.jwk}}
		if priv, ok := k.priv.(*ecdsa.PrivateKey); ok {
			d, err := priv.Bytes()
			if err != nil {
				return nil, err
			}
			out = append(out, [2]string{"d", b64(d)})
		}
		return out, nil
	case "ed25519":
		out := [][2]string{{"crv", "Ed25519"}}
		if priv, ok := k.priv.(ed25519.PrivateKey); ok {
			out = append(out, [2]string{"d", b64(priv.Seed())})
		}
		return append(out, [2]string{"x", b64(k.pub.(ed25519.PublicKey))}, [2]string{"kty", "OKP"}), nil
	}
	return nil, &keyError{code: "ERR_CRYPTO_JWK_UNSUPPORTED_KEY_TYPE", msg: "Unsupported JWK Key Type."}
}

func (k *keyHandle) equal(o *keyHandle) bool {
	if k.kind != o.kind || k.alg != o.alg {
		return false
	}
	switch k.kind {
	case "secret":
		return len(k.secret) == len(o.secret) && subtle.ConstantTimeCompare(k.secret, o.secret) == 1
	case "private":
		p, ok := k.priv.(interface{ Equal(crypto.PrivateKey) bool })
		return ok && p.Equal(o.priv)
	}
	p, ok := k.pub.(interface{ Equal(crypto.PublicKey) bool })
	return ok && p.Equal(o.pub)
}

// ---- Signatures ----

type sigOptions struct {
	padding int // RSA padding; 0: the key's default
	salt    int // PSS salt length, when hasSalt
	hasSalt bool
	p1363   bool // ECDSA signatures as r||s (dsaEncoding 'ieee-p1363') rather than DER
}

// pssScheme is an RSA-PSS signature's parameters: the MGF1 digest and the salt
// length (pssAnySalt: the longest when signing, any when verifying).
type pssScheme struct {
	mgf1 crypto.Hash
	salt int
}

const pssAnySalt = -1000

// rsaScheme picks PKCS#1 v1.5 (nil) or PSS for an RSA signature, as OpenSSL does: PSS
// salt as long as possible when signing, detected when verifying. An RSA-PSS key
// with parameters signs and verifies with its salt length by default, and refuses a
// shorter one (its saltLength is a minimum).
func (k *keyHandle) rsaScheme(h crypto.Hash, o sigOptions, signing bool) (*pssScheme, error) {
	pad := o.padding
	if pad == 0 {
		pad = rsaPKCS1Padding
		if k.alg == "rsa-pss" {
			pad = rsaPSSPadding
		}
	}
	if pad == rsaPKCS1Padding && k.alg == "rsa" {
		return nil, nil
	}
	if pad != rsaPSSPadding {
		return nil, errPaddingMode
	}
	sc := &pssScheme{mgf1: h, salt: pssAnySalt}
	if k.pss != nil {
		if h != k.pss.hash {
			return nil, errDigestNotAllowed
		}
		// Go's PSS signing uses the message digest for MGF1 (verifyPSS does not).
		if k.pss.mgf1 != h && signing {
			return nil, unsupported("RSA-PSS signing with an MGF1 digest other than the message digest is")
		}
		sc.mgf1, sc.salt = k.pss.mgf1, k.pss.saltLength
	}
	if o.hasSalt {
		switch {
		case o.salt == pssSaltDigest:
			sc.salt = h.Size()
		case o.salt == pssSaltMaxSign && !signing && k.pss != nil:
			return nil, errInvalidSalt // OpenSSL does not detect the salt for restricted keys
		case o.salt == pssSaltMax && !signing: // exactly the longest salt
			sc.salt = (k.pub.(*rsa.PublicKey).N.BitLen()+6)/8 - h.Size() - 2
		case o.salt == pssSaltMaxSign || o.salt == pssSaltMax:
			sc.salt = pssAnySalt
		case o.salt >= 0:
			sc.salt = o.salt
		case k.pss != nil:
			return nil, errInvalidSalt
		default:
			return nil, invalidValue("options.saltLength", itoa(o.salt))
		}
		if k.pss != nil && sc.salt != pssAnySalt && sc.salt < k.pss.saltLength {
			return nil, errSaltTooSmall
		}
	}
	if sc.salt == 0 && signing { // Go's PSS has no way to ask for an empty salt
		return nil, unsupported("RSA-PSS signing with saltLength 0 is")
	}
	return sc, nil
}

// signDigest signs a digest made with h (createSign, or crypto.sign with a digest).
func (k *keyHandle) signDigest(h crypto.Hash, digest []byte, o sigOptions) ([]byte, error) {
	switch priv := k.priv.(type) {
	case *rsa.PrivateKey:
		pss, err := k.rsaScheme(h, o, true)
		if err != nil {
			return nil, err
		}
		if pss != nil {
			salt := pss.salt
			if salt == pssAnySalt {
				salt = rsa.PSSSaltLengthAuto
			}
			return rsa.SignPSS(rand.Reader, priv, h, digest, &rsa.PSSOptions{SaltLength: salt, Hash: h})
		}
		return rsa.SignPKCS1v15(nil, priv, h, digest)
	case *ecdsa.PrivateKey:
		sig, err := ecdsa.SignASN1(rand.Reader, priv, digest)
		if err != nil || !o.p1363 {
			return sig, err
		}
		return ecdsaDERToP1363(sig, curveBytes(priv.Curve))
	}
	return nil, errUnsupportedOp
}

func (k *keyHandle) verifyDigest(h crypto.Hash, digest, sig []byte, o sigOptions) (bool, error) {
	switch pub := k.pub.(type) {
	case *rsa.PublicKey:
		pss, err := k.rsaScheme(h, o, false)
		if err != nil {
			return false, err
		}
		if pss != nil {
			return verifyPSS(pub, h, pss, digest, sig), nil
		}
		return rsa.VerifyPKCS1v15(pub, h, digest, sig) == nil, nil
	case *ecdsa.PublicKey:
		if o.p1363 {
			der, ok := ecdsaP1363ToDER(sig, curveBytes(pub.Curve))
			if !ok {
				return false, nil
			}
			sig = der
		}
		return ecdsa.VerifyASN1(pub, digest, sig), nil
	}
	return false, errUnsupportedOp
}

// verifyPSS is RFC 8017's RSASSA-PSS-VERIFY with EMSA-PSS-VERIFY (9.1.2), written
// out because Go's rsa.VerifyPSS neither takes a separate MGF1 digest nor checks for
// an empty salt. It only touches public values, so plain big.Int arithmetic is fine.
func verifyPSS(pub *rsa.PublicKey, h crypto.Hash, sc *pssScheme, mHash, sig []byte) bool {
	hLen := h.Size()
	if len(sig) != pub.Size() || len(mHash) != hLen {
		return false
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return false
	}
	emBits := pub.N.BitLen() - 1
	emLen := (emBits + 7) / 8
	m := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N)
	if m.BitLen() > emBits || emLen < hLen+2 {
		return false
	}
	em := m.FillBytes(make([]byte, emLen))
	if em[emLen-1] != 0xbc {
		return false
	}
	db, hh := em[:emLen-hLen-1], em[emLen-hLen-1:emLen-1]
	mgf := sc.mgf1.New()
	var counter [4]byte
	for i, done := 0, 0; done < len(db); i++ {
		counter[3], counter[2], counter[1], counter[0] = byte(i), byte(i>>8), byte(i>>16), byte(i>>24)
		mgf.Reset()
		mgf.Write(hh)
		mgf.Write(counter[:])
		for _, b := range mgf.Sum(nil) {
			if done == len(db) {
				break
			}
			db[done] ^= b
			done++
		}
	}
	db[0] &= 0xff >> (8*emLen - emBits)
	ps := 0
	for ps < len(db) && db[ps] == 0 {
		ps++
	}
	if ps == len(db) || db[ps] != 1 {
		return false
	}
	salt := db[ps+1:]
	if sc.salt != pssAnySalt && len(salt) != sc.salt {
		return false
	}
	w := h.New()
	w.Write(make([]byte, 8))
	w.Write(mHash)
	w.Write(salt)
	return subtle.ConstantTimeCompare(w.Sum(nil), hh) == 1
}

// messageDigest resolves crypto.sign/verify's algorithm (null: SHA-256, or none for
// Ed25519, which signs the message itself) and hashes msg.
func (k *keyHandle) messageDigest(alg string, msg []byte) (crypto.Hash, []byte, error) {
	if k.alg == "ed25519" {
		if alg != "" {
			return 0, nil, errInvalidDigest
		}
		return 0, msg, nil
	}
	h := crypto.SHA256
	if alg != "" {
		var ok bool
		if h, ok = digestByName(alg); !ok {
			return 0, nil, &keyError{code: "ERR_CRYPTO_INVALID_DIGEST", ctor: "TypeError", msg: "Invalid digest: " + alg}
		}
	}
	w := h.New()
	w.Write(msg)
	return h, w.Sum(nil), nil
}

func (k *keyHandle) signMessage(alg string, msg []byte, o sigOptions) ([]byte, error) {
	h, digest, err := k.messageDigest(alg, msg)
	if err != nil {
		return nil, err
	}
	if priv, ok := k.priv.(ed25519.PrivateKey); ok {
		return ed25519.Sign(priv, digest), nil
	}
	return k.signDigest(h, digest, o)
}

func (k *keyHandle) verifyMessage(alg string, msg, sig []byte, o sigOptions) (bool, error) {
	h, digest, err := k.messageDigest(alg, msg)
	if err != nil {
		return false, err
	}
	if pub, ok := k.pub.(ed25519.PublicKey); ok {
		return ed25519.Verify(pub, digest, sig), nil
	}
	return k.verifyDigest(h, digest, sig, o)
}

func curveBytes(c elliptic.Curve) int { return (c.Params().BitSize + 7) / 8 }

type ecdsaSignature struct{ R, S *big.Int }

func ecdsaDERToP1363(der []byte, size int) ([]byte, error) {
	var sig ecdsaSignature
	if _, err := asn1.Unmarshal(der, &sig); err != nil {
		return nil, err
	}
	out := make([]byte, 2*size)
	sig.R.FillBytes(out[:size])
	sig.S.FillBytes(out[size:])
	return out, nil
}

func ecdsaP1363ToDER(sig []byte, size int) ([]byte, bool) {
	if len(sig) != 2*size {
		return nil, false
	}
	der, err := asn1.Marshal(ecdsaSignature{new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])})
	return der, err == nil
}

// ---- RSA encryption ----

// rsaCrypt is publicEncrypt, privateDecrypt, privateEncrypt and publicDecrypt.
func (k *keyHandle) rsaCrypt(op string, data []byte, padding int, oaepHash crypto.Hash, label []byte) ([]byte, error) {
	pub, ok := k.pub.(*rsa.PublicKey)
	if !ok {
		return nil, errKeyTypeOp
	}
	if k.alg == "rsa-pss" { // RSA-PSS keys are for signatures only
		return nil, errPSSKeyTypeOp
	}
	priv, _ := k.priv.(*rsa.PrivateKey)
	if priv == nil && (op == "privateDecrypt" || op == "privateEncrypt") {
		return nil, errMissingPrivate
	}
	if padding == rsaNoPadding {
		return nil, unsupported("RSA_NO_PADDING is")
	}
	var out []byte
	var err error
	switch {
	case op == "publicEncrypt" && padding == rsaOAEPPadding:
		out, err = rsa.EncryptOAEP(oaepHash.New(), rand.Reader, pub, data, label)
	case op == "publicEncrypt" && padding == rsaPKCS1Padding:
		out, err = rsa.EncryptPKCS1v15(rand.Reader, pub, data)
	case op == "privateDecrypt" && padding == rsaOAEPPadding:
		if out, err = rsa.DecryptOAEP(oaepHash.New(), nil, priv, data, label); err != nil {
			return nil, errOAEPDecoding
		}
	case op == "privateDecrypt" && padding == rsaPKCS1Padding:
		// Node 20 refuses it too (CVE-2023-46809, the Marvin attack).
		return nil, &keyError{code: "ERR_INVALID_ARG_VALUE", ctor: "TypeError", msg: "RSA_PKCS1_PADDING is no longer supported for private decryption"}
	case op == "privateEncrypt" && padding == rsaPKCS1Padding:
		out, err = rsa.SignPKCS1v15(nil, priv, 0, data) // hash 0: data padded (type 1) as is
	case op == "publicDecrypt" && padding == rsaPKCS1Padding:
		return rsaPublicRecover(pub, data)
	default:
		return nil, errPaddingMode
	}
	if errors.Is(err, rsa.ErrMessageTooLong) {
		return nil, errDataTooLarge
	}
	return out, err
}

// rsaPublicRecover undoes privateEncrypt: the public operation, then PKCS#1 type 1
// unpadding. It only touches public values, so plain big.Int arithmetic is fine.
func rsaPublicRecover(pub *rsa.PublicKey, sig []byte) ([]byte, error) {
	size := pub.Size()
	c := new(big.Int).SetBytes(sig)
	if len(sig) != size || size < 11 || c.Cmp(pub.N) >= 0 {
		return nil, errInvalidPadding
	}
	em := new(big.Int).Exp(c, big.NewInt(int64(pub.E)), pub.N).FillBytes(make([]byte, size))
	if em[0] != 0 || em[1] != 1 {
		return nil, errInvalidPadding
	}
	i := 2
	for i < len(em) && em[i] == 0xff {
		i++
	}
	if i < 10 || i >= len(em) || em[i] != 0 {
		return nil, errInvalidPadding
	}
	return em[i+1:], nil
}

// ---- Generation ----

func generateKey(typ string, bits, exponent int, curve string, pss *pssParams) (*keyHandle, error) {
	switch typ {
	case "rsa", "rsa-pss":
		if bits < minRSAGenerateBits || bits > maxRSAGenerateBits {
			return nil, &keyError{code: "ERR_OUT_OF_RANGE", ctor: "RangeError", msg: "The value of \"options.modulusLength\" is out of range. It must be >= " +
				itoa(minRSAGenerateBits) + " && <= " + itoa(maxRSAGenerateBits) + " in Minicloud. Received " + itoa(bits)}
		}
		if exponent != 65537 {
			return nil, unsupported("RSA public exponents other than 65537 are")
		}
		priv, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			return nil, err
		}
		return newRSAKey(priv, &priv.PublicKey, typ == "rsa-pss", pss)
	case "ec":
		c, err := curveByName(curve)
		if err != nil {
			return nil, err
		}
		priv, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			return nil, err
		}
		return newPrivateKey(priv)
	case "ed25519":
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		return newPrivateKey(priv)
	}
	return nil, &keyError{code: "ERR_INVALID_ARG_VALUE", ctor: "TypeError", msg: "The argument 'type' must be a supported key type. Received '" + typ + "'"}
}

// ---- Natives ----

// cryptoError turns a failure into the JavaScript error to throw.
func (in *Instance) cryptoError(err error) *goja.Object {
	var ke *keyError
	if !errors.As(err, &ke) {
		// A Go failure without a Node equivalent (a key Go refuses, say): keep its words.
		return in.newError(err.Error(), "ERR_CRYPTO_OPERATION_FAILED")
	}
	var e *goja.Object
	if ke.ctor == "TypeError" {
		e = in.vm.NewTypeError(ke.msg)
		_ = e.Set("code", ke.code)
	} else {
		e = in.newError(ke.msg, ke.code)
		if ke.ctor != "" {
			_ = e.Set("name", ke.ctor)
		}
	}
	if ke.library != "" {
		_ = e.Set("library", ke.library)
		_ = e.Set("reason", ke.reason)
	}
	return e
}

// secretArg returns the bytes of a key argument: a secret key's handle (the prelude
// passes a KeyObject's), a string or binary data.
func (in *Instance) secretArg(v goja.Value, name string) []byte {
	if o, ok := v.(*goja.Object); ok && o.ExportType() == typeKeyHandle {
		if k := o.Export().(*keyHandle); k.kind == "secret" {
			return k.secret
		}
		panic(in.cryptoError(&keyError{code: "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE", ctor: "TypeError", msg: "Invalid key object type, expected secret."}))
	}
	return in.dataArg(v, goja.Undefined(), name)
}

// keyNatives adds the key natives to N.crypto.
func (in *Instance) keyNatives(o *goja.Object) {
	vm := in.vm
	cache := map[string]*keyHandle{}
	check := func(err error) {
		if err != nil {
			panic(in.cryptoError(err))
		}
	}
	keyOf := func(v goja.Value) *keyHandle {
		if o, ok := v.(*goja.Object); ok && o.ExportType() == typeKeyHandle {
			return o.Export().(*keyHandle)
		}
		panic(vm.NewTypeError("not a key"))
	}
	// signingHash returns createSign's digest and its hash function.
	signingHash := func(v goja.Value) (*hashHandle, crypto.Hash) {
		if hh, ok := v.Export().(*hashHandle); ok {
			if h, ok := digestByName(hh.alg); ok {
				return hh, h
			}
		}
		panic(vm.NewTypeError("not a signing hash"))
	}
	// sigOpts reads (padding, saltLength, dsaEncoding) from arguments i, i+1, i+2; the
	// prelude has checked their types.
	sigOpts := func(c goja.FunctionCall, i int) sigOptions {
		o := sigOptions{padding: int(c.Argument(i).ToInteger()), p1363: c.Argument(i+2).String() == "ieee-p1363"}
		if s := c.Argument(i + 1); !goja.IsUndefined(s) {
			o.salt, o.hasSalt = int(s.ToInteger()), true
		}
		return o
	}
	str := func(v goja.Value) string {
		if goja.IsUndefined(v) || goja.IsNull(v) {
			return ""
		}
		return v.String()
	}

	_ = o.Set("keySecret", func(c goja.FunctionCall) goja.Value {
		b := in.dataArg(c.Argument(0), c.Argument(1), "key")
		return vm.ToValue(&keyHandle{kind: "secret", secret: append([]byte{}, b...)})
	})
	// keyParse(want 'private'|'public', key, format, type, encoding)
	_ = o.Set("keyParse", func(c goja.FunctionCall) goja.Value {
		private := c.Argument(0).String() == "private"
		src, format, typ := c.Argument(1), str(c.Argument(2)), str(c.Argument(3))
		if format == "jwk" {
			obj, ok := src.(*goja.Object)
			if !ok {
				panic(vm.NewTypeError("The \"key.key\" property must be of type object"))
			}
			k, err := parseJWK(func(name string) (string, bool, bool) {
				v := obj.Get(name)
				if v == nil || goja.IsUndefined(v) {
					return "", false, false
				}
				if !goja.IsString(v) {
					return "", true, false
				}
				return v.String(), true, true
			}, private)
			check(err)
			return vm.ToValue(k)
		}
		var cacheKey string
		if goja.IsString(src) && src.String() != "" && len(src.String()) <= maxKeyCacheText {
			cacheKey = c.Argument(0).String() + "\x00" + format + "\x00" + typ + "\x00" + str(c.Argument(4)) + "\x00" + src.String()
			if k := cache[cacheKey]; k != nil {
				return vm.ToValue(k)
			}
		}
		data := in.dataArg(src, c.Argument(4), "key")
		var k *keyHandle
		var err error
		if format == "der" {
			k, err = parseKeyDERAs(data, typ, private)
		} else {
			k, err = parseKeyPEM(data, private)
		}
		check(err)
		if cacheKey != "" {
			if len(cache) >= maxKeyCacheEntries {
				clear(cache)
			}
			cache[cacheKey] = k
		}
		return vm.ToValue(k)
	})
	_ = o.Set("keyPublic", func(c goja.FunctionCall) goja.Value {
		return vm.ToValue(keyOf(c.Argument(0)).public())
	})
	// keyInfo returns [type, asymmetricKeyType, symmetricKeySize, asymmetricKeyDetails].
	_ = o.Set("keyInfo", func(c goja.FunctionCall) goja.Value {
		k := keyOf(c.Argument(0))
		if k.kind == "secret" {
			return vm.NewArray(k.kind, goja.Undefined(), len(k.secret), goja.Undefined())
		}
		d := vm.NewObject()
		switch pub := k.pub.(type) {
		case *rsa.PublicKey:
			_ = d.Set("modulusLength", pub.N.BitLen())
			_ = d.Set("publicExponent", big.NewInt(int64(pub.E)))
			if k.pss != nil {
				_ = d.Set("hashAlgorithm", digestNames[k.pss.hash])
				_ = d.Set("mgf1HashAlgorithm", digestNames[k.pss.mgf1])
				_ = d.Set("saltLength", k.pss.saltLength)
			}
		case *ecdsa.PublicKey:
			_ = d.Set("namedCurve", curveOf(pub.Curve).name)
		}
		return vm.NewArray(k.kind, k.alg, goja.Undefined(), d)
	})
	// keyExport(key, format 'buffer'|'jwk'|'pem'|'der', type)
	_ = o.Set("keyExport", func(c goja.FunctionCall) goja.Value {
		k, format := keyOf(c.Argument(0)), c.Argument(1).String()
		switch {
		case format == "jwk":
			members, err := k.exportJWK()
			check(err)
			obj := vm.NewObject()
			for _, m := range members {
				_ = obj.Set(m[0], m[1])
			}
			return obj
		case k.kind == "secret":
			return vm.ToValue(vm.NewArrayBuffer(append([]byte{}, k.secret...)))
		}
		der, block, err := k.exportDER(str(c.Argument(2)))
		check(err)
		if format == "pem" {
			return vm.ToValue(string(pem.EncodeToMemory(&pem.Block{Type: block, Bytes: der})))
		}
		return vm.ToValue(vm.NewArrayBuffer(der))
	})
	_ = o.Set("keyEquals", func(c goja.FunctionCall) goja.Value {
		return vm.ToValue(keyOf(c.Argument(0)).equal(keyOf(c.Argument(1))))
	})
	// signHash(alg) starts createSign/createVerify's digest.
	_ = o.Set("signHash", func(c goja.FunctionCall) goja.Value {
		alg := c.Argument(0).String()
		h, ok := digestByName(alg)
		if !ok {
			check(&keyError{code: "ERR_CRYPTO_INVALID_DIGEST", ctor: "TypeError", msg: "Invalid digest"})
		}
		return vm.ToValue(&hashHandle{h: h.New(), alg: digestNames[h]})
	})
	// signFinal(hash, key, padding, saltLength, dsaEncoding, outEnc)
	_ = o.Set("signFinal", func(c goja.FunctionCall) goja.Value {
		hh, h := signingHash(c.Argument(0))
		sig, err := keyOf(c.Argument(1)).signDigest(h, hh.h.Sum(nil), sigOpts(c, 2))
		check(err)
		return in.output(sig, c.Argument(5))
	})
	// verifyFinal(hash, key, signature, sigEnc, padding, saltLength, dsaEncoding)
	_ = o.Set("verifyFinal", func(c goja.FunctionCall) goja.Value {
		hh, h := signingHash(c.Argument(0))
		k := keyOf(c.Argument(1))
		sig := in.dataArg(c.Argument(2), c.Argument(3), "signature")
		ok, err := k.verifyDigest(h, hh.h.Sum(nil), sig, sigOpts(c, 4))
		if err == errSaltTooSmall || err == errInvalidSalt { // Node's Verify gives false for these
			return vm.ToValue(false)
		}
		check(err)
		return vm.ToValue(ok)
	})
	// signOneShot(alg, data, key, padding, saltLength, dsaEncoding)
	_ = o.Set("signOneShot", func(c goja.FunctionCall) goja.Value {
		k := keyOf(c.Argument(2))
		sig, err := k.signMessage(str(c.Argument(0)), in.dataArg(c.Argument(1), goja.Undefined(), "data"), sigOpts(c, 3))
		check(err)
		return vm.ToValue(vm.NewArrayBuffer(sig))
	})
	// verifyOneShot(alg, data, key, signature, padding, saltLength, dsaEncoding)
	_ = o.Set("verifyOneShot", func(c goja.FunctionCall) goja.Value {
		k := keyOf(c.Argument(2))
		data := in.dataArg(c.Argument(1), goja.Undefined(), "data")
		sig := in.dataArg(c.Argument(3), goja.Undefined(), "signature")
		ok, err := k.verifyMessage(str(c.Argument(0)), data, sig, sigOpts(c, 4))
		check(err)
		return vm.ToValue(ok)
	})
	// rsaCrypt(op, key, data, encoding, padding, oaepHash, oaepLabel)
	_ = o.Set("rsaCrypt", func(c goja.FunctionCall) goja.Value {
		k := keyOf(c.Argument(1))
		data := in.dataArg(c.Argument(2), c.Argument(3), "buffer")
		h, ok := digestByName(c.Argument(5).String())
		if !ok {
			check(&keyError{code: "ERR_OSSL_EVP_INVALID_DIGEST", msg: "Invalid digest used"})
		}
		var label []byte
		if l := c.Argument(6); !goja.IsUndefined(l) && !goja.IsNull(l) {
			label = in.dataArg(l, goja.Undefined(), "oaepLabel")
		}
		out, err := k.rsaCrypt(c.Argument(0).String(), data, int(c.Argument(4).ToInteger()), h, label)
		check(err)
		return vm.ToValue(vm.NewArrayBuffer(out))
	})
	// keyGenerate(type, modulusLength, publicExponent, namedCurve, hashAlgorithm,
	// mgf1HashAlgorithm, saltLength) returns the private key.
	_ = o.Set("keyGenerate", func(c goja.FunctionCall) goja.Value {
		typ := c.Argument(0).String()
		var pss *pssParams
		if hashName, mgfName, salt := str(c.Argument(4)), str(c.Argument(5)), c.Argument(6); typ == "rsa-pss" && (hashName != "" || mgfName != "" || !goja.IsUndefined(salt)) {
			pss = &pssParams{hash: crypto.SHA1}
			if hashName != "" {
				h, ok := digestByName(hashName)
				if !ok || digestOIDs[h] == nil {
					check(&keyError{code: "ERR_CRYPTO_INVALID_DIGEST", ctor: "TypeError", msg: "Invalid digest: " + hashName})
				}
				pss.hash = h
			}
			pss.mgf1 = pss.hash
			if mgfName != "" {
				h, ok := digestByName(mgfName)
				if !ok || digestOIDs[h] == nil {
					check(&keyError{code: "ERR_CRYPTO_INVALID_DIGEST", ctor: "TypeError", msg: "Invalid MGF1 digest: " + mgfName})
				}
				pss.mgf1 = h
			}
			pss.saltLength = pss.hash.Size()
			if !goja.IsUndefined(salt) {
				pss.saltLength = int(salt.ToInteger())
			}
			// Keys Minicloud could not sign with (see rsaScheme) are refused up front.
			if pss.mgf1 != pss.hash {
				check(unsupported("RSA-PSS keys with an MGF1 digest other than the message digest are"))
			}
			if pss.saltLength == 0 {
				check(unsupported("RSA-PSS keys with saltLength 0 are"))
			}
		}
		k, err := generateKey(typ, int(c.Argument(1).ToInteger()), int(c.Argument(2).ToInteger()), str(c.Argument(3)), pss)
		check(err)
		return vm.ToValue(k)
	})
}
