package cloudfns

import (
	"encoding/json"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// Key APIs of require('crypto') (require_crypto_keys.go), end to end through a
// function. The keys were generated once with OpenSSL 3.0 for these tests only; the
// expected values were computed by running the same bodies in Node 20. Randomized
// results (ECDSA, RSA-PSS, OAEP) are checked by verifying both ways instead.

const (
	// RSA 2048, PKCS#8 (openssl genpkey -algorithm RSA)
	testRSAKey = `-----BEGIN PRIVATE KEY-----
MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQCf6DlB1Sf4htj3
m2B4FgNbjk0fOAsbmX/32blbZeiodbu7nmAPbsPy1DJuaCCwhKjRkpfHQM0HFrve
ojXXYDe4VBHXd1XybCGHi8q8keTnKjE5DMqUwurIbliYJZyon8sfsZvqMWVv8xii
tOUDkg1G+g0mDJ3AGDkawLzOR1xuhU+r+ONedcGwdT+Yu/t0orMkx1SnZ6iRO5G4
rIpoVcb+E8kseHUwImgEfDLeN/zgX57rw7hD8Bw+DH94AkDw8W1brgB8bKcSG3FP
rq5/AqZCljhWws30vNPm7gPtTB+tCeR/XUttoAf7qMf7pVN94fclf6pMvTbuean7
A4hkqWglAgMBAAECggEAT8Tz0zB3WRZD4/lBvYYVtLWfKWS2vdTsLoMRYVPMJUVe
GnEeMHSsEVXjtooBTK1Q3gMH7iEYZmHj5GL9Auz/vtdJczgXyvBAJbMJttn824iD
t5b29BDsOII7deLFbKUSGkRqqABuPtOBRaGB4S8Zqn+Q0ZtXkn1C92KQjUKyDHtv
NvTiQsJvgxBwjOSCqqdcTIorTOMAMNm1hligeoXiG5YMq3C1r2WQpq16YpUwtvi0
65YNgC5fj5fZCS8jLiMVis8L3wCPMInUqqAjl8HJytxOdTOZcreIcmiyVkiCwwMp
KLhH0grAnuZrf1Jprul8Fs/XTVwhWRZ7PgrK15KYvQKBgQDh0Yk5ZgY+osHhFfnF
Dd3jkbRjO/9GIxGnOKWfxEVnwjl/snEG0rtzuA8tnkbsEp5Muwi7aWa4T9Ftql2M
caJ+fMNWtkvdR7WI+0+FFOwHx0nHo1PKf9k+PuQou6Qmws2ehxyQY7lQS0Nvjkz1
MlkIWFllhgRtjS8ZaSNJ+lTeGwKBgQC1R4Ff6cGEj5WR0iidSLkm1md1QovXDMsQ
K/1fZi1i+RrczV+BuIfZejmY/mOBQ1Nd+w2XFG+RUOQPkERlVmBrwk65CvpE1kzX
O3DxZXknHg+cbAkQa9pT56DUKZOK2rNTYloExnYOWd6QqM9kBj3+4/vJqC4GqMLI
WYMmGVo2vwKBgQCnkOvp2soxemax1rPDxJltf7ZCmMfBTM6RrphAKM1zxA0Us93p
OUB+CwvARx3Lmbk7qOI+52SgyiHW5b+LMttoTr5IvvcmmUqc/hcw4qiO0RPvf0Pz
FNGovdRiYXLajF02EH5iqo1dhqvgwNBcdmLYrW6QxlTM0iIsEfdsssR9FwKBgQCe
bzZVW3m0n8E7RxAUFwErPmwBgf2yIA5BvhCeFjFItSqTHDOCroKcwkQgwQS6btsn
4klIZ6XyvV31dEMyxkFTLOmctElzbFCQM/VMJUGzvIQsVAfAAGM6vdBEXWoEC4x7
LhQ65DE97bGlgMRxSTtZ0Gu5HXHMhCZo8EK9Q58jBQKBgQCsmuL5MDG+EgZ5DZzd
gjkP2iNBPflh1Ebe8Z2FLJc9RWJXv7ZiBlgVUrkOn6C1/HRPN4RRPfDph4RBzpAl
35sGzIrVS5UVX8j5FPgZQX5OPN1WL8oz13gIkgcM+U+MsJr7mJdQG1MVsy5DAy3d
7he4/I8zy6svoJ93mHIwQ9qN7w==
-----END PRIVATE KEY-----
`
	// the same key as PKCS#1 (openssl pkey -traditional)
	testRSAKeyPKCS1 = `-----BEGIN RSA PRIVATE KEY-----
MIIEpQIBAAKCAQEAn+g5QdUn+IbY95tgeBYDW45NHzgLG5l/99m5W2XoqHW7u55g
D27D8tQybmggsISo0ZKXx0DNBxa73qI112A3uFQR13dV8mwhh4vKvJHk5yoxOQzK
lMLqyG5YmCWcqJ/LH7Gb6jFlb/MYorTlA5INRvoNJgydwBg5GsC8zkdcboVPq/jj
XnXBsHU/mLv7dKKzJMdUp2eokTuRuKyKaFXG/hPJLHh1MCJoBHwy3jf84F+e68O4
Q/AcPgx/eAJA8PFtW64AfGynEhtxT66ufwKmQpY4VsLN9LzT5u4D7UwfrQnkf11L
baAH+6jH+6VTfeH3JX+qTL027nmp+wOIZKloJQIDAQABAoIBAE/E89Mwd1kWQ+P5
Qb2GFbS1nylktr3U7C6DEWFTzCVFXhpxHjB0rBFV47aKAUytUN4DB+4hGGZh4+Ri
/QLs/77XSXM4F8rwQCWzCbbZ/NuIg7eW9vQQ7DiCO3XixWylEhpEaqgAbj7TgUWh
geEvGap/kNGbV5J9QvdikI1Csgx7bzb04kLCb4MQcIzkgqqnXEyKK0zjADDZtYZY
oHqF4huWDKtwta9lkKatemKVMLb4tOuWDYAuX4+X2QkvIy4jFYrPC98AjzCJ1Kqg
I5fBycrcTnUzmXK3iHJoslZIgsMDKSi4R9IKwJ7ma39Saa7pfBbP101cIVkWez4K
yteSmL0CgYEA4dGJOWYGPqLB4RX5xQ3d45G0Yzv/RiMRpziln8RFZ8I5f7JxBtK7
c7gPLZ5G7BKeTLsIu2lmuE/RbapdjHGifnzDVrZL3Ue1iPtPhRTsB8dJx6NTyn/Z
Pj7kKLukJsLNnocckGO5UEtDb45M9TJZCFhZZYYEbY0vGWkjSfpU3hsCgYEAtUeB
X+nBhI+VkdIonUi5JtZndUKL1wzLECv9X2YtYvka3M1fgbiH2Xo5mP5jgUNTXfsN
lxRvkVDkD5BEZVZga8JOuQr6RNZM1ztw8WV5Jx4PnGwJEGvaU+eg1CmTitqzU2Ja
BMZ2DlnekKjPZAY9/uP7yaguBqjCyFmDJhlaNr8CgYEAp5Dr6drKMXpmsdazw8SZ
bX+2QpjHwUzOka6YQCjNc8QNFLPd6TlAfgsLwEcdy5m5O6jiPudkoMoh1uW/izLb
aE6+SL73JplKnP4XMOKojtET739D8xTRqL3UYmFy2oxdNhB+YqqNXYar4MDQXHZi
2K1ukMZUzNIiLBH3bLLEfRcCgYEAnm82VVt5tJ/BO0cQFBcBKz5sAYH9siAOQb4Q
nhYxSLUqkxwzgq6CnMJEIMEEum7bJ+JJSGel8r1d9XRDMsZBUyzpnLRJc2xQkDP1
TCVBs7yELFQHwABjOr3QRF1qBAuMey4UOuQxPe2xpYDEcUk7WdBruR1xzIQmaPBC
vUOfIwUCgYEArJri+TAxvhIGeQ2c3YI5D9ojQT35YdRG3vGdhSyXPUViV7+2YgZY
FVK5Dp+gtfx0TzeEUT3w6YeEQc6QJd+bBsyK1UuVFV/I+RT4GUF+TjzdVi/KM9d4
CJIHDPlPjLCa+5iXUBtTFbMuQwMt3e4XuPyPM8urL6Cfd5hyMEPaje8=
-----END RSA PRIVATE KEY-----
`
	// its public key, SPKI
	testRSAPublicKey = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAn+g5QdUn+IbY95tgeBYD
W45NHzgLG5l/99m5W2XoqHW7u55gD27D8tQybmggsISo0ZKXx0DNBxa73qI112A3
uFQR13dV8mwhh4vKvJHk5yoxOQzKlMLqyG5YmCWcqJ/LH7Gb6jFlb/MYorTlA5IN
RvoNJgydwBg5GsC8zkdcboVPq/jjXnXBsHU/mLv7dKKzJMdUp2eokTuRuKyKaFXG
/hPJLHh1MCJoBHwy3jf84F+e68O4Q/AcPgx/eAJA8PFtW64AfGynEhtxT66ufwKm
QpY4VsLN9LzT5u4D7UwfrQnkf11LbaAH+6jH+6VTfeH3JX+qTL027nmp+wOIZKlo
JQIDAQAB
-----END PUBLIC KEY-----
`
	// a self-signed certificate for it, like a WeChat Pay platform certificate
	testRSACert = `-----BEGIN CERTIFICATE-----
MIIDKjCCAhKgAwIBAgIBATANBgkqhkiG9w0BAQsFADAtMRcwFQYDVQQDDA5taW5p
Y2xvdWQgdGVzdDESMBAGA1UECgwJTWluaWNsb3VkMCAXDTI2MTIwNDIyMzE1MVoY
DzIxMjYxMTEwMjIzMTUxWjAtMRcwFQYDVQQDDA5taW5pY2xvdWQgdGVzdDESMBAG
A1UECgwJTWluaWNsb3VkMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA
n+g5QdUn+IbY95tgeBYDW45NHzgLG5l/99m5W2XoqHW7u55gD27D8tQybmggsISo
0ZKXx0DNBxa73qI112A3uFQR13dV8mwhh4vKvJHk5yoxOQzKlMLqyG5YmCWcqJ/L
H7Gb6jFlb/MYorTlA5INRvoNJgydwBg5GsC8zkdcboVPq/jjXnXBsHU/mLv7dKKz
JMdUp2eokTuRuKyKaFXG/hPJLHh1MCJoBHwy3jf84F+e68O4Q/AcPgx/eAJA8PFt
W64AfGynEhtxT66ufwKmQpY4VsLN9LzT5u4D7UwfrQnkf11LbaAH+6jH+6VTfeH3
JX+qTL027nmp+wOIZKloJQIDAQABo1MwUTAdBgNVHQ4EFgQU4kJB637dGVtC1ufy
UK4Xh/kliV0wHwYDVR0jBBgwFoAU4kJB637dGVtC1ufyUK4Xh/kliV0wDwYDVR0T
AQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAj8d3d24uzLiTwRfl82CyKHQg
bSM7sYUnEa1pEd8J2fwJA4rqPCg6R/ueQq3C/T1X0CghkYbJU/9MQiawzX6Pz5Ao
Xf7+eGhoMClbls9FQ+YtnWSiXogamPrYggMFRX5yuXid5ONZAjoAKH/TQPQWcASJ
HpMDtP+Q0ZTfYkeNZDAM4P6Fvph6kZtWO1i3QwZxzNQ3KSF8qraXX3vRYBoYTuX7
EniCdOAJ+jDBr9iaGhxul72oOqtcXl+Yl0S62RtE1x19N+mj0yk5IgbyjdUutIbs
0MwwGx7jkevcJYmynBvqq9/VdqqvRRVhoHqE5P4S25YQMMNfTBjRB3MjujujoA==
-----END CERTIFICATE-----
`
	// the key encrypted with AES-256 (passphrase hunter2)
	testRSAKeyEncrypted = `-----BEGIN ENCRYPTED PRIVATE KEY-----
MIIFLTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQIq/Qgc1rzo0cCAggA
MAwGCCqGSIb3DQIJBQAwHQYJYIZIAWUDBAEqBBBmj20dWA0rCFQvu8RxKB2iBIIE
0IBCehQuLAxGbB+7FYYpYZXLzWQjnUbubTmjD5H6ffQjM0UZxZdeNnQ5gwsFIkIZ
uaMGSnBdPaI8Yd0daDR90f/yngUenEVTrIyct6BA3s9423Rnp6CoVgo7vVAVzm2/
NnuvoX4Xd1uA5qtNhSAQP5U0PawhWIl34wcV6XjMF9SzR654IkNb/VBRM6V54/Vw
diBcfwZEq8MFj41WJC6tkw7nhmGs3GWmtxPaMK+uaq0n/4IIe0wJ3jrepSE9j4Et
hxk+exT+BvWhFouMaGfB8c9v0nzuizK9VvdG2SHAGIkJgzg0TDM4YdD7VANUyVuY
E3S80sGRyHgRwbB8aiQyLQY/XNLtdDYsbTiJaaUJcZoX34jkBCGBTPiHYkXhU6RK
jc+5S4FqT2oWCRyAGePPFC39qc4Yc+Fb6b45Ff8sfJcay7AuvjzsrPPvzd/2vgZg
q+uu/5xJGJAy5U+QslgSeb2eSr/0Z8Q4lTb+Oem6iScFm2ALK3STinUdeB5HT/su
qfKRvnnR3oAUISWWkI9WjCjnKw+VH1/J1kqsqi3F6GQrwbdyUq29VyMcsAPaki0G
gzzJyNYQf2QqR6hpQOI1S5NR1QYVHy9AptYZsYvkahpswh3wvJ/KtJ01Z8PLMWYk
te05R7jyBc5TboQ5/YoTXkb+CdvrNWj2+/zstk933VdNs+PCQ/8sLbMt4FoK1kqp
5SmLJwv2aIOfECW3dIP1GhAb7CVVIPhl4bOgJlTF24iukAAdwAFnKZkQ7fkk2rGz
AqO92FFTCXNtZjTZbUAHg2Fp01NsSh6BYbHW0ey7ANWMqrDTYAIQ0EJah1WSBepc
zRq6ZX2+ZlgaO65rfz9DSAhT0fW65/FS3ejzl9MukYKrLwpAFX/Crn9a+1JnsJ67
IYn8ICC1KMWkT9HRvFEEmelj2Ui5+Riii9qQVfyPnfH9t3RR3Z3nw6TNfBknrCyO
4aO6/UGyEMt+jnnOTqYJA54KpsnIH8al3iQIx4AECWcwxWrMtvhhUOwbJGLY53EA
OXGM8drV77DyukIKSkzXBm9P/x0x+5+Sk6x8imQC8gwlpimaWcRoTmAfppTFUr/i
+0FdXlfAjuhs66xmxDCiPmTJZEiQFXue2xxQTt3gAR3PozUwHnE9FE9+ylt/7gn5
Klz6xkd40oXik2Z/YJAv8lsp7sZZl/zPWTXcyS6PCgS6aWUKhAqsuB3dlXfjNszv
1gYK74Gr6JHgUBFonZ7VAoMU76U2FIp9GpEq7GNi/4xgmZAaWDgE58PYy0Eo7Vwb
lU0WpDCCxjSC1zQ6XpBSmobipsfiTrmzvRQBIziUDmrJ7ePuOeXqbOyT1VHchO2L
jv7x4+s5me4VpKAjWhmwVg3D8G2VQF5hsFaUE2riflJKTlHKfDasEiR21r3aLXBc
Ca8X2qPFxj76UwivyQJ2bhZrpiQjiZf8LbBJKxfb5clGVnGFuATVOsegs5zch3mo
PlaWP1T9G4sbDX+FJUOIMloxdSmOtascmi4hY/4h87GTCY6v9/VdTTJH7KkcJjwB
S2Dkqw2O81rlTL10D4yaL7XREZ8ctzdSMB+Lfcp4PhuQRGWgUf+WDvlxStPROrr8
BAFDJcAQ3WKbOD8z2hSGW3HBZHo6qPzfIz/6JwGUOfgI
-----END ENCRYPTED PRIVATE KEY-----
`
	// EC P-256, PKCS#8
	testECKey = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgYtsAKE2OMG46WQ1h
JxJhElyisk4x6omwp3Iv9wklfwahRANCAAQqhMChJ4Skl3J0vKUHFhTsZKACjyC0
KrLmNwH7qFnReaEBDYlfsl1tik87W2I88xpVfTY63HDm85McnWb/wA9J
-----END PRIVATE KEY-----
`
	// the same key as SEC1
	testECKeySEC1 = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIGLbAChNjjBuOlkNYScSYRJcorJOMeqJsKdyL/cJJX8GoAoGCCqGSM49
AwEHoUQDQgAEKoTAoSeEpJdydLylBxYU7GSgAo8gtCqy5jcB+6hZ0XmhAQ2JX7Jd
bYpPO1tiPPMaVX02Otxw5vOTHJ1m/8APSQ==
-----END EC PRIVATE KEY-----
`
	// its public key
	testECPublicKey = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKoTAoSeEpJdydLylBxYU7GSgAo8g
tCqy5jcB+6hZ0XmhAQ2JX7JdbYpPO1tiPPMaVX02Otxw5vOTHJ1m/8APSQ==
-----END PUBLIC KEY-----
`
	// Ed25519, PKCS#8
	testEd25519Key = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIAHA5E66FbqJJsrNuubl+nmUUgrQqFsJ2uM7f/6h6+uu
-----END PRIVATE KEY-----
`
	// its public key
	testEd25519PublicKey = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAH4nLjYqQ0MerbT+cdN64RkKmHhmU+rYOQHcLMYmb4Oc=
-----END PUBLIC KEY-----
`
	// RSA-PSS 2048 restricted to SHA-256, MGF1 SHA-256, salt 32
	testRSAPSSKey = `-----BEGIN PRIVATE KEY-----
MIIE8QIBADBBBgkqhkiG9w0BAQowNKAPMA0GCWCGSAFlAwQCAQUAoRwwGgYJKoZI
hvcNAQEIMA0GCWCGSAFlAwQCAQUAogMCASAEggSnMIIEowIBAAKCAQEAx4tioJLe
Bz3ur6InpLJoK0vLzqU83+Hp8JMhv3nkHydkKkbbC8bS4E0TqiUVS+8msVQk19xH
mCVaLC2453rKf0XIoq1b1jNYoiO90J3JJwHtZ//t4/aMYLBQz1r7Tsnnb3hybNx3
mRrkcnMary8STYZh+zG8NQuRa1hspTWp3SmqHPJ1fGHfk8RC507S0I/shuJpeNEW
vhxUNUkvgWSreNo9ZkNkvgELB2iyU1H89+R+VO2J0bm0UvVr9TPl9Ae1iEDb385W
aTxgOCXd5A5sFil0F3KuMKmMFEF2MbiGp1l345DVURad7tbjOJl8YhfBroyBTDcn
cWRg5HSnSja35QIDAQABAoIBAAqMC4KBQMsRMvSFlaLW6zqenv8lLLqIrlzQ6g+8
2Znr8xdo91r//1VrvYZYv29sDJeC4w+lzQL1tnZvVD6n9twTTC+NCjWgMScgzH+i
V2eAapP8qw5JkdHqf9r17CKV+W2i6Clo3clx6nFCND7eNhFy8OreDhyfp+gMnHF/
DKNr4GxNbEVaoUAT3X16sGSWPN4bcBMF3T4K1+PmxQtVNilxIQtZ5fpuUi3WbBFA
74pNqzBNLx/ij1vnr/lWWOo4o02UsP+JbzHEt4JL8d4F4Hl0DOvIywdRHtMhtFR6
cUhQLtv1w06ElR/kfOSBLoQYBC4IkyZ3oc7xqLsIwMPVQ2ECgYEA7q7wbRX6cKSo
4f6UTNL1RfUuFBZFyf7fTtPtDSwAlYDG/uiTsjC6vJwIG9xWirxY6zLuXZlVEKG5
AVuKy5xDuF/FXaGE4CfI1KC4F9lmMfK4ac1wC7O+jJkv6n/sjYcjXU6Ti8GFOqEe
G+LhlCBJYELoXZAz/Nm9z0WSnpC0xrMCgYEA1gWFPf8FZK7gb5cgXwX7gQA9ocQ/
mn/4l4FikVQKs1WKfNRg92e1tPwuyL4mjAHPwDdA10z2Ius/Ffq+z858oj3EUZbK
cUoH2R1hpDJJvgfpLcZWFcS9nG6dHUUaLiHgcADXgNHLDwThz4njb0HqJdnZQyPc
t2iwDW5K/b5iEwcCgYAGinzEQInwdFK8fsGJqW5XUHTG0CVxd66e9mfUqJQLhM/v
RGhnxbYYXR5LxSoJ+0dkiqzFm+Ic5pGvW9bd5ZZlgxphin+dtPln+k+RN7/5NnGf
VKXxbCeYqsoJXyAYcM+jSvf4KIGCLdApa3pLGOdp3+uGROFn2H+/ImT2O3j4yQKB
gH7JNm3Lrb4/euWgeaTRPnTlV52FTMiSFwpps6K0TsJ+YlQg3HC0F4jn/C8ftmYq
jJAqK1dgWE/HXNAAgxlIEb1rKenLkpIacRvFtBo5UEYrGY/sdwLeUhVh0eGNFj1O
BE9VsFS387sqATuZTAqU2ckijPqhPBfLBMBwHizDpAXxAoGBAKRrDFd0X4Vsu/x+
x/QpZdMlEjC3CyWhrRjbmN9tbsBC8gSIzoLHVQlgl0Yjsb5ZXw+MaIzk7M2OeKVI
5wom6buWrC64Hxe2GpQvEoH+oYXpd5LZ5Ub7cN4AmBXwYa9hF1av7rFHx8x6Iewp
6KTFICS8RG8wfsRJPwWpGtUYthlf
-----END PRIVATE KEY-----
`
)

// Made by Node 20 with the keys above.
const (
	// a WeChat Pay v3 request line
	testSignMessage = "GET\n/v3/certificates\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n\n"
	// createSign('sha256').update(msg).sign(testECKey, 'base64')
	nodeECDSASig = "MEUCIH3RDC0ku7K4Q6MW/N5fwwGxMe2Dkg9UfOTmUSEw2MQRAiEAjvYncd/Kj4vrfkIIb1kFt+9rHtmVej9vU+TPxWQOwqs="
	// the same, with dsaEncoding 'ieee-p1363'
	nodeECDSAP1363Sig = "SmSL0QS10j2QDChmd7OxWHQ6NFG7VQrfL7jD1A/YhzTeGUdxOOQqH4GoO90fYH3rPMaX1jvMeucUm2xvDewcvA=="
	// createSign('RSA-SHA256').update(msg).sign({ key: testRSAKey, padding: 6, saltLength: 32 }, 'base64')
	nodePSSSig = "RSebsXeLRcx5vuUDGAwc/CjwXPHgSTRBs8in0PdvcrHnJ/QWnQxAkGaivab7bsStYVjMlzxnMJZv3qmpz8fyPEwA+Xdw5eQj7PCQ2BAuH36E/BcCRuaM8aNumw+chaDMzs/P4+O5IGCAIxIpyaxQSiVSaGAWjH0J+folftjE3XvKfucf21ps7JE4p/w/aTyNSTmJXtC1MxuVqdNYqTcw5/1hArJHf/VTVDIR0OKR0NQGlcuw0DsybJzYVfU5JvBWlFmHm6f+Ez09WfZxsGD0qzdkGjeT/3smg3+5l2uxF4wpvCpKn58EZiLAMt7/MyEhaY0GIciyOdgl6YFT8039FQ=="
	// createSign('sha256').update(msg).sign(testRSAPSSKey, 'base64')
	nodePSSKeySig = "g8bwIw2bBAgIaF2/vk5xWMYbugjU62EZU+8pfpfcj7wPPQffhIvSsJVV8Lfbt91HEFIB0t1JL5ly/lCfP+hghyKoIogq/3/yPd0ypFcQv9PA73haWg0MaItBdd+zrQ30ugOaqHWxuwtmkqRkgU3XfU7qk8dmuLP4/UDTv2AG7FRmZAPWkSnaYa7LO8b9zAy+8oKwPc/5kmN9nyGPXLwqR1Hj3NKxh2hIdkvMWMVzhJHJaaw1J9jxu3BpiQ3nnca5MHGpKwvzXJYG2rgmyrkfaC/xnCL8FaDhX+0JLut2faTYtyEvLu9z1RjepOggUGALbwfgIFGBLS8Mv98nmcdiIQ=="
	// publicEncrypt(testRSAPublicKey, '6222 0000 1111 2222') in base64
	nodeOAEPCiphertext = "cX3AzIUYU7otO0dIf7U43hMCTPhU1tIT5XBPVv8L/6V1SF/D/R+L4ddctI+kwN+Z5V7A8IULaQYrPmRRhpXsyzPHydv01jmuATcy/T9REd2gXAF/Zwuus0Sa4YxwEor+oSoa+o4WSr5yApqZXUKCj0lYMSaCDi+8PbxYS4W8t5tmca6LripTWmeFamdNFId1dNw3e7GpUayWvJC+Cd+wo1WC60aizV/42FTiw6TXmCf78lfWX5tswGetPxPKkH5bS8gYlmt4YN7xWWfnvi/P8MqwCbndtd2NPQ1YAT8In0QfmCDkvaN5PrnRxpEikaBYCgdhYc0ju6SlfW0jC62jFQ=="
	// publicEncrypt({ key: testRSACert, oaepHash: 'sha256' }, '张三') in base64
	nodeOAEP256Ciphertext = "ZMi11irrFZxJAyFZKeO0tb+Y3zSq06c6uLxq+uINHrIC/zcTvUgI51BK0Diz8Lnnqr82dxnQjAOLNPNZR/MtgK1GN26Z173NE3tWcOKNCrL10LT/wIgFsHNdZyMNqzlpCQcAmSg4kQn+nL8k3BGrr8OyuCpqDCsh9IpO6lq4aRBbOC+3u1pSQMiUtvsKqIf9Ey/ib6GwwgafzmXC3c4y+M38zWjJPoa0/YysJAIFyG6vfVLAmEyughbJdrlZrHH80wED0vUEFGqls1SsKpiaYZooSGhJcwvVVRv4d2EuEcwx0/a6n1Jp7xEoIRhmhS4PacExfmR+AfLk7T8Ypnqdog=="
)

// cryptoKeysModule is keys.js for the test functions: require('./keys') gives the
// constants above.
func cryptoKeysModule() string {
	b, _ := json.Marshal(map[string]string{
		"rsa":          testRSAKey,
		"rsa1":         testRSAKeyPKCS1,
		"rsaPub":       testRSAPublicKey,
		"cert":         testRSACert,
		"rsaEncrypted": testRSAKeyEncrypted,
		"ec":           testECKey,
		"ecSec1":       testECKeySEC1,
		"ecPub":        testECPublicKey,
		"ed":           testEd25519Key,
		"edPub":        testEd25519PublicKey,
		"pss":          testRSAPSSKey,
		"msg":          testSignMessage,
		"nodeECDSA":    nodeECDSASig,
		"nodeP1363":    nodeECDSAP1363Sig,
		"nodePSS":      nodePSSSig,
		"nodePSSKey":   nodePSSKeySig,
		"nodeOAEP":     nodeOAEPCiphertext,
		"nodeOAEP256":  nodeOAEP256Ciphertext,
	})
	return "module.exports = " + string(b)
}

func cryptoVersion(body string) *Version {
	return testVersion("crypto-keys", map[string]string{
		"index.js": "const c = require('crypto'), K = require('./keys');\nexports.main = async (event) => {\n" + body + "\n}",
		"keys.js":  cryptoKeysModule(),
	})
}

func TestCryptoKeys(t *testing.T) {
	r := newTestRuntime(RuntimeConfig{})
	cases := []struct {
		name, body, want string
	}{
		{"secret keys", `const k = c.createSecretKey(Buffer.from('hunter2')), k2 = c.createSecretKey('68756e74657232', 'hex');
			return [k.type, k.symmetricKeySize, k.asymmetricKeyType, k instanceof c.KeyObject, Object.prototype.toString.call(k),
				k.export().toString(), k.export({ format: 'jwk' }), k.equals(k2), k.equals(c.createSecretKey(Buffer.from('hunter3'))),
				c.createSecretKey(new Uint8Array([1, 2, 3]).buffer).symmetricKeySize, Object.keys(k).length, Object.getPrototypeOf(k).constructor.name,
				c.createHmac('sha256', k).update('msg').digest('hex') === c.createHmac('sha256', 'hunter2').update('msg').digest('hex'),
				c.createHmac('sha256', k).update('msg').digest('hex'),
				c.createCipheriv('aes-128-ecb', c.createSecretKey(Buffer.alloc(16, 7)), null).final('hex')]`,
			`["secret",7,null,true,"[object KeyObject]","hunter2",{"kty":"oct","k":"aHVudGVyMg"},true,false,3,0,"SecretKeyObject",true,"ade80296045c2bdcf0ba57563fd10bc4e9cccc85411d03c538cfcefe1a8e6bb2","6dd8d1a9968930500c95bca43d084e23"]`},
		{"jsonwebtoken HS256 flow", `// What jsonwebtoken 9 and jwa do with a string secret, without the package.
			const { KeyObject, createSecretKey, createPrivateKey } = c;
			let key = 'shhhhh', err;
			if (!(key instanceof KeyObject)) {
				try { key = createPrivateKey(key) } catch (e) {
					err = { name: e.name, code: e.code, message: e.message, isError: e instanceof Error, library: e.library, reason: e.reason };
					key = createSecretKey(typeof key === 'string' ? Buffer.from(key) : key);
				}
			}
			const b64u = (s) => Buffer.from(s).toString('base64url');
			const input = b64u(JSON.stringify({ alg: 'HS256', typ: 'JWT' })) + '.' + b64u(JSON.stringify({ sub: 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M', iat: 1700000000 }));
			const ok = key.type === 'secret' && typeof key.symmetricKeySize === 'number' && typeof key.export === 'function' && typeof c.createPublicKey === 'function';
			const sig = c.createHmac('sha256', key).update(input).digest('base64').replace(/=/g, '').replace(/\+/g, '-').replace(/\//g, '_');
			return { err, ok, jwt: input + '.' + sig }`,
			`{"err":{"name":"Error","code":"ERR_OSSL_UNSUPPORTED","message":"error:1E08010C:DECODER routines::unsupported","isError":true,"library":"DECODER routines","reason":"unsupported"},"ok":true,"jwt":"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJvNl9ibWpyUFRsbTZfMnNnVnQ3aE1aT1BmTDJNIiwiaWF0IjoxNzAwMDAwMDAwfQ.7q0Mp2S3BLjg61uv_8nwu0wTEUD0HWQvxbCubh8g43A"}`},
		{"key parse errors", `const code = (f) => { try { f(); return 'no error' } catch (e) { return [e.name, e.code, e.message] } };
			return [code(() => c.createPrivateKey('not a key')), code(() => c.createPublicKey('secret')),
				code(() => c.createPrivateKey(Buffer.from('secret'))), code(() => c.createPrivateKey(K.rsaPub)), code(() => c.createPrivateKey(K.cert)),
				code(() => c.createPrivateKey(123)), code(() => c.createPrivateKey({})), code(() => c.createPrivateKey(c.createPrivateKey(K.rsa))),
				code(() => c.createPublicKey(c.createPublicKey(K.rsa))), code(() => c.createPublicKey(c.createSecretKey(Buffer.from('x')))),
				code(() => c.createPrivateKey({ key: 'x', format: 'foo' })), code(() => c.createPrivateKey({ key: Buffer.alloc(3), format: 'der' })),
				code(() => c.createPrivateKey({ key: Buffer.alloc(3), format: 'der', type: 'spki' })),
				code(() => c.createPrivateKey({ key: 'x', format: 'jwk' })), code(() => c.createPrivateKey({ key: { kty: 'oct', k: 'YWJj' }, format: 'jwk' })),
				code(() => c.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }, format: 'jwk' })),
				code(() => c.createSecretKey(123)), code(() => c.createSecretKey(Buffer.from('a')).equals('x')),
				code(() => new c.KeyObject('foo', {})), code(() => new c.KeyObject('secret', {}))]`,
			`[["Error","ERR_OSSL_UNSUPPORTED","error:1E08010C:DECODER routines::unsupported"],["Error","ERR_OSSL_UNSUPPORTED","error:1E08010C:DECODER routines::unsupported"],["Error","ERR_OSSL_UNSUPPORTED","error:1E08010C:DECODER routines::unsupported"],["Error","ERR_OSSL_UNSUPPORTED","error:1E08010C:DECODER routines::unsupported"],["Error","ERR_OSSL_UNSUPPORTED","error:1E08010C:DECODER routines::unsupported"],["TypeError","ERR_INVALID_ARG_TYPE","The \"key\" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, or DataView. Received type number (123)"],["TypeError","ERR_INVALID_ARG_TYPE","The \"key.key\" property must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, or DataView. Received undefined"],["TypeError","ERR_INVALID_ARG_TYPE","The \"key\" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, or DataView. Received an instance of PrivateKeyObject"],["TypeError","ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE","Invalid key object type public, expected private."],["TypeError","ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE","Invalid key object type secret, expected private."],["TypeError","ERR_INVALID_ARG_VALUE","The property 'options.format' is invalid. Received 'foo'"],["TypeError","ERR_INVALID_ARG_VALUE","The property 'options.type' is invalid. Received undefined"],["TypeError","ERR_INVALID_ARG_VALUE","The property 'options.type' is invalid. Received 'spki'"],["TypeError","ERR_INVALID_ARG_TYPE","The \"key.key\" property must be of type object. Received type string ('x')"],["TypeError","ERR_INVALID_ARG_VALUE","The property 'key.kty' must be one of: 'RSA', 'EC', 'OKP'. Received 'oct'"],["TypeError","ERR_CRYPTO_INVALID_JWK","Invalid JWK EC key"],["TypeError","ERR_INVALID_ARG_TYPE","The \"key\" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView. Received type number (123)"],["TypeError","ERR_INVALID_ARG_TYPE","The \"otherKeyObject\" argument must be an instance of KeyObject. Received type string ('x')"],["TypeError","ERR_INVALID_ARG_VALUE","The argument 'type' is invalid. Received 'foo'"],["TypeError","ERR_INVALID_ARG_TYPE","The \"handle\" argument must be of type object. Received an instance of Object"]]`},
		{"rsa keys", `const k = c.createPrivateKey(K.rsa), pub = c.createPublicKey(k), d = k.asymmetricKeyDetails;
			const jwk = k.export({ format: 'jwk' });
			return [k.type, k.asymmetricKeyType, d.modulusLength, typeof d.publicExponent, String(d.publicExponent), k.symmetricKeySize,
				pub.type, pub.asymmetricKeyDetails.modulusLength, Object.getPrototypeOf(pub).constructor.name,
				k.export({ type: 'pkcs8', format: 'pem' }) === K.rsa, k.export({ type: 'pkcs1', format: 'pem' }) === K.rsa1,
				c.createPrivateKey(K.rsa1).equals(k), pub.export({ type: 'spki', format: 'pem' }) === K.rsaPub,
				c.createPublicKey(K.cert).export({ type: 'spki', format: 'pem' }) === K.rsaPub, c.createPublicKey(K.rsa).equals(pub),
				c.createPublicKey(K.rsaPub).equals(pub), pub.equals(k),
				pub.export({ type: 'pkcs1', format: 'der' }).toString('base64'), Object.keys(jwk), jwk.qi, pub.export({ format: 'jwk' }),
				c.createPrivateKey({ key: jwk, format: 'jwk' }).equals(k), c.createPublicKey({ key: jwk, format: 'jwk' }).equals(pub),
				c.createPrivateKey({ key: k.export({ type: 'pkcs1', format: 'der' }), format: 'der', type: 'pkcs1' }).equals(k),
				c.createPrivateKey({ key: k.export({ type: 'pkcs8', format: 'der' }).toString('base64'), format: 'der', type: 'pkcs8', encoding: 'base64' }).equals(k),
				c.createPublicKey({ key: pub.export({ type: 'spki', format: 'der' }), format: 'der', type: 'spki' }).equals(pub),
				c.createPublicKey({ key: pub.export({ type: 'pkcs1', format: 'der' }), format: 'der', type: 'pkcs1' }).equals(pub),
				c.createPublicKey({ key: k.export({ type: 'pkcs8', format: 'der' }), format: 'der', type: 'pkcs8' }).type,
				c.createPrivateKey(Buffer.from(K.rsa)).type, c.createPrivateKey({ key: K.rsa, passphrase: 'unused' }).type,
				c.createPublicKey({ key: k }).type, require('util').inspect(pub).split(' {')[0]]`,
			`["private","rsa",2048,"bigint","65537",null,"public",2048,"PublicKeyObject",true,true,true,true,true,true,true,false,"MIIBCgKCAQEAn+g5QdUn+IbY95tgeBYDW45NHzgLG5l/99m5W2XoqHW7u55gD27D8tQybmggsISo0ZKXx0DNBxa73qI112A3uFQR13dV8mwhh4vKvJHk5yoxOQzKlMLqyG5YmCWcqJ/LH7Gb6jFlb/MYorTlA5INRvoNJgydwBg5GsC8zkdcboVPq/jjXnXBsHU/mLv7dKKzJMdUp2eokTuRuKyKaFXG/hPJLHh1MCJoBHwy3jf84F+e68O4Q/AcPgx/eAJA8PFtW64AfGynEhtxT66ufwKmQpY4VsLN9LzT5u4D7UwfrQnkf11LbaAH+6jH+6VTfeH3JX+qTL027nmp+wOIZKloJQIDAQAB",["kty","n","e","d","p","q","dp","dq","qi"],"rJri-TAxvhIGeQ2c3YI5D9ojQT35YdRG3vGdhSyXPUViV7-2YgZYFVK5Dp-gtfx0TzeEUT3w6YeEQc6QJd-bBsyK1UuVFV_I-RT4GUF-TjzdVi_KM9d4CJIHDPlPjLCa-5iXUBtTFbMuQwMt3e4XuPyPM8urL6Cfd5hyMEPaje8",{"kty":"RSA","n":"n-g5QdUn-IbY95tgeBYDW45NHzgLG5l_99m5W2XoqHW7u55gD27D8tQybmggsISo0ZKXx0DNBxa73qI112A3uFQR13dV8mwhh4vKvJHk5yoxOQzKlMLqyG5YmCWcqJ_LH7Gb6jFlb_MYorTlA5INRvoNJgydwBg5GsC8zkdcboVPq_jjXnXBsHU_mLv7dKKzJMdUp2eokTuRuKyKaFXG_hPJLHh1MCJoBHwy3jf84F-e68O4Q_AcPgx_eAJA8PFtW64AfGynEhtxT66ufwKmQpY4VsLN9LzT5u4D7UwfrQnkf11LbaAH-6jH-6VTfeH3JX-qTL027nmp-wOIZKloJQ","e":"AQAB"},true,true,true,true,true,true,"public","private","private","public","PublicKeyObject [KeyObject]"]`},
		{"ec and ed25519 keys", `const ec = c.createPrivateKey(K.ec), ed = c.createPrivateKey(K.ed), edPub = c.createPublicKey(K.edPub);
			const jwk = ec.export({ format: 'jwk' });
			return [ec.asymmetricKeyType, ec.asymmetricKeyDetails, c.createPrivateKey(K.ecSec1).equals(ec), ec.export({ type: 'sec1', format: 'pem' }) === K.ecSec1,
				ec.export({ type: 'pkcs8', format: 'pem' }) === K.ec, c.createPublicKey(ec).export({ type: 'spki', format: 'pem' }) === K.ecPub,
				jwk, c.createPrivateKey({ key: jwk, format: 'jwk' }).equals(ec), c.createPublicKey({ key: jwk, format: 'jwk' }).asymmetricKeyDetails,
				c.createPublicKey({ key: ec.export({ format: 'der', type: 'sec1' }), format: 'der', type: 'sec1' }).equals(c.createPublicKey(K.ecPub)),
				ed.asymmetricKeyType, ed.asymmetricKeyDetails, ed.export({ format: 'jwk' }), edPub.export({ format: 'jwk' }),
				ed.export({ type: 'pkcs8', format: 'pem' }) === K.ed, edPub.export({ type: 'spki', format: 'pem' }) === K.edPub,
				c.createPublicKey(ed).equals(edPub), c.createPrivateKey({ key: ed.export({ format: 'jwk' }), format: 'jwk' }).equals(ed)]`,
			`["ec",{"namedCurve":"prime256v1"},true,true,true,true,{"kty":"EC","x":"KoTAoSeEpJdydLylBxYU7GSgAo8gtCqy5jcB-6hZ0Xk","y":"oQENiV-yXW2KTztbYjzzGlV9NjrccObzkxydZv_AD0k","crv":"P-256","d":"YtsAKE2OMG46WQ1hJxJhElyisk4x6omwp3Iv9wklfwY"},true,{"namedCurve":"prime256v1"},true,"ed25519",{},{"crv":"Ed25519","d":"AcDkTroVuokmys265uX6eZRSCtCoWwna4zt__qHr664","x":"H4nLjYqQ0MerbT-cdN64RkKmHhmU-rYOQHcLMYmb4Oc","kty":"OKP"},{"crv":"Ed25519","x":"H4nLjYqQ0MerbT-cdN64RkKmHhmU-rYOQHcLMYmb4Oc","kty":"OKP"},true,true,true,true]`},
		{"export errors", `const code = (f) => { try { f(); return 'no error' } catch (e) { return [e.name, e.code, e.message] } };
			const rsa = c.createPrivateKey(K.rsa), ec = c.createPublicKey(K.ecPub), s = c.createSecretKey(Buffer.from('ab'));
			return [code(() => rsa.export()), code(() => rsa.export({ format: 'pem' })), code(() => rsa.export({ format: 'xyz', type: 'pkcs8' })),
				code(() => rsa.export({ format: 'pem', type: 'sec1' })), code(() => ec.export({ format: 'pem', type: 'pkcs1' })),
				code(() => ec.export({ format: 'pem', type: 'pkcs8' })), code(() => s.export({ format: 'pem' })), code(() => s.export('x')),
				code(() => c.createPrivateKey(K.pss).export({ format: 'jwk' })), code(() => c.createPrivateKey(K.pss).export({ format: 'pem', type: 'pkcs1' }))]`,
			`[["TypeError","ERR_INVALID_ARG_TYPE","The \"options\" argument must be of type object. Received undefined"],["TypeError","ERR_INVALID_ARG_VALUE","The property 'options.type' is invalid. Received undefined"],["TypeError","ERR_INVALID_ARG_VALUE","The property 'options.format' is invalid. Received 'xyz'"],["Error","ERR_CRYPTO_INCOMPATIBLE_KEY_OPTIONS","The selected key encoding sec1 can only be used for EC keys."],["Error","ERR_CRYPTO_INCOMPATIBLE_KEY_OPTIONS","The selected key encoding pkcs1 can only be used for RSA keys."],["TypeError","ERR_INVALID_ARG_VALUE","The property 'options.type' is invalid. Received 'pkcs8'"],["TypeError","ERR_INVALID_ARG_VALUE","The property 'options.format' must be one of: undefined, 'buffer', 'jwk'. Received 'pem'"],["TypeError","ERR_INVALID_ARG_TYPE","The \"options\" argument must be of type object. Received type string ('x')"],["Error","ERR_CRYPTO_JWK_UNSUPPORTED_KEY_TYPE","Unsupported JWK Key Type."],["Error","ERR_CRYPTO_INCOMPATIBLE_KEY_OPTIONS","The selected key encoding pkcs1 can only be used for RSA keys."]]`},
		{"rsa signatures", `// WeChat Pay v3: sign the request with the merchant key, verify the platform's answer
			// with its certificate.
			const sig = c.createSign('RSA-SHA256').update(K.msg).sign(K.rsa, 'base64');
			const h = (b) => c.createHash('sha256').update(b).digest('hex').slice(0, 16);
			const algs = ['SHA256', 'sha256', 'RSA-SHA1', 'sha1', 'RSA-SHA512', 'sha384', 'sha224', 'RSA-MD5', 'sha256WithRSAEncryption'];
			return [sig, c.createVerify('RSA-SHA256').update(K.msg).verify(K.cert, sig, 'base64'),
				c.createVerify('RSA-SHA256').update(K.msg).verify(K.rsaPub, sig, 'base64'),
				c.createVerify('RSA-SHA256').update(K.msg).verify(K.rsa, sig, 'base64'),
				c.createVerify('RSA-SHA256').update(K.msg + ' ').verify(K.rsaPub, sig, 'base64'),
				c.createVerify('RSA-SHA256').update(K.msg).verify(K.rsaPub, 'abcd', 'base64'),
				c.createVerify('sha256').update(K.msg).verify(c.createPublicKey(K.rsaPub), Buffer.from(sig, 'base64')),
				algs.map((a) => h(c.createSign(a).update('x').sign(K.rsa))),
				c.createSign('sha256').update('hel').update(Buffer.from('lo')).sign(c.createPrivateKey(K.rsa), 'hex') === c.createSign('sha256').update('68656c6c6f', 'hex').sign({ key: K.rsa1 }, 'hex'),
				c.sign('sha256', Buffer.from(K.msg), K.rsa).toString('base64') === sig, c.sign(null, K.msg, K.rsa).toString('base64') === sig,
				c.verify('sha256', Buffer.from(K.msg), K.cert, Buffer.from(sig, 'base64')),
				await new Promise((res) => c.verify(null, Buffer.from(K.msg), K.rsaPub, Buffer.from(sig, 'base64'), (e, ok) => res([e, ok]))),
				h(await new Promise((res) => c.sign('sha512', Buffer.from('x'), K.rsa, (e, s) => res(s)))),
				Buffer.isBuffer(c.createSign('sha256').update('x').sign(K.rsa)), c.createSign('sha256').update('x') instanceof c.Sign]`,
			`["GtVUpP1Zb/9UfdL9z22UOdsdG7Lc1bz1BldJF5ozB74EqIpRImXk/ZngqAwPhxT3MO46JqBsSyN23unzp5gM0A1v7pgAWDkphdzkAjzo0T8dLEu4yJxcj51maZLnhEbKba4FxQx3IN+W2B5uX4bSLzcp35NJVrruuOoRmcDM3XTArjFnPzU4qGR/2IAzbPo3cDIP0ud33LErgIf0i191JrxACLR3SZ+C98YFGiTKEDsbWWppzeKla26WPmLFEOkX4uFlqzhi/5EKlsbun632qgWIOz3oUlI9lof1ZMC+kdT+GGAeAuRKyVbuzytfcI/83PoamnYapLzN2RL2tmZMaQ==",true,true,true,false,false,true,["631422f3ffe2def3","631422f3ffe2def3","4ae9fd70a9281acd","4ae9fd70a9281acd","cfb643a2e535e316","0966d50228554483","4199a4262cbf5147","b62a807d6fb42029","631422f3ffe2def3"],true,true,true,true,[null,true],"cfb643a2e535e316",true,true]`},
		{"pss signatures", `const pss = { key: K.rsa, padding: c.constants.RSA_PKCS1_PSS_PADDING };
			const v = (key, s) => c.createVerify('sha256').update(K.msg).verify(key, s, 'base64');
			const mine = c.createSign('sha256').update(K.msg).sign(pss, 'base64');
			const digestSalt = c.createSign('sha256').update(K.msg).sign({ ...pss, saltLength: c.constants.RSA_PSS_SALTLEN_DIGEST }, 'base64');
			const pub = { key: K.rsaPub, padding: 6 };
			return [v({ ...pub, saltLength: 32 }, K.nodePSS), v(pub, K.nodePSS), v({ ...pub, saltLength: 20 }, K.nodePSS), v(K.rsaPub, K.nodePSS),
				v(pub, mine), v({ ...pub, saltLength: 222 }, mine), v({ ...pub, saltLength: 32 }, mine), v({ ...pub, saltLength: 32 }, digestSalt),
				mine === c.createSign('sha256').update(K.msg).sign(pss, 'base64'), Buffer.from(mine, 'base64').length]`,
			`[true,true,false,false,true,true,false,true,false,256]`},
		{"rsa-pss keys", `const k = c.createPrivateKey(K.pss), pub = c.createPublicKey(k), d = k.asymmetricKeyDetails;
			const code = (f) => { try { f(); return 'no error' } catch (e) { return [e.code, e.message] } };
			const mine = c.createSign('sha256').update(K.msg).sign(k, 'base64');
			return [k.asymmetricKeyType, d.modulusLength, String(d.publicExponent), d.hashAlgorithm, d.mgf1HashAlgorithm, d.saltLength,
				k.export({ type: 'pkcs8', format: 'pem' }) === K.pss, pub.export({ type: 'spki', format: 'der' }).toString('base64').slice(0, 120),
				c.createVerify('sha256').update(K.msg).verify(pub, K.nodePSSKey, 'base64'), c.createVerify('sha256').update(K.msg).verify(pub, mine, 'base64'),
				c.createVerify('sha256').update(K.msg).verify({ key: pub, padding: 6, saltLength: 32 }, mine, 'base64'),
				code(() => c.createSign('sha512').update('x').sign(k)), code(() => c.createSign('sha256').update('x').sign({ key: k, padding: 1 })),
				code(() => c.publicEncrypt(pub, Buffer.from('x')))]`,
			`["rsa-pss",2048,"65537","sha256","sha256",32,true,"MIIBVjBBBgkqhkiG9w0BAQowNKAPMA0GCWCGSAFlAwQCAQUAoRwwGgYJKoZIhvcNAQEIMA0GCWCGSAFlAwQCAQUAogMCASADggEPADCCAQoCggEBAMeLYqCS",true,true,true,["ERR_OSSL_DIGEST_NOT_ALLOWED","error:1C8000AE:Provider routines::digest not allowed"],["ERR_OSSL_ILLEGAL_OR_UNSUPPORTED_PADDING_MODE","error:1C8000A5:Provider routines::illegal or unsupported padding mode"],["ERR_OSSL_OPERATION_NOT_SUPPORTED_FOR_THIS_KEYTYPE","error:1C8000B2:Provider routines::operation not supported for this keytype"]]`},
		{"ecdsa signatures", `const v = (alg, key, s) => c.createVerify(alg).update(K.msg).verify(key, Buffer.from(s, 'base64'));
			const der = c.createSign('RSA-SHA256').update(K.msg).sign(K.ec);
			const p1363 = c.sign('sha256', Buffer.from(K.msg), { key: K.ec, dsaEncoding: 'ieee-p1363' });
			const ecPub = c.createPublicKey(K.ecPub);
			return [v('sha256', K.ecPub, K.nodeECDSA), v('sha256', K.ec, K.nodeECDSA), v('sha384', K.ecPub, K.nodeECDSA),
				v('sha256', { key: K.ecPub, dsaEncoding: 'ieee-p1363' }, K.nodeP1363), v('sha256', K.ecPub, K.nodeP1363),
				c.verify('sha256', Buffer.from(K.msg), { key: ecPub, dsaEncoding: 'ieee-p1363' }, Buffer.from(K.nodeP1363, 'base64')),
				der[0], der[1] === der.length - 2 && der.length <= 72, c.verify(null, Buffer.from(K.msg), ecPub, der),
				p1363.length, c.verify('sha256', Buffer.from(K.msg), { key: ecPub, dsaEncoding: 'ieee-p1363' }, p1363),
				c.verify('sha256', Buffer.from(K.msg), { key: ecPub, dsaEncoding: 'ieee-p1363' }, p1363.subarray(1)),
				c.verify('sha256', Buffer.from(K.msg), ecPub, Buffer.alloc(10)),
				c.createSign('sha256').update('x').sign({ key: K.ec, padding: 6 }).length > 60]`,
			`[true,true,false,true,false,true,48,true,true,64,true,false,false,true]`},
		{"ed25519 signatures", `const code = (f) => { try { f(); return 'no error' } catch (e) { return [e.code, e.message] } };
			const sig = c.sign(null, Buffer.from(K.msg), K.ed);
			return [sig.toString('base64'), c.sign(undefined, K.msg, c.createPrivateKey(K.ed)).equals(sig),
				c.verify(null, Buffer.from(K.msg), K.edPub, sig), c.verify(null, Buffer.from(K.msg + '!'), K.edPub, sig), c.verify(null, Buffer.from(K.msg), K.ed, sig),
				c.verify(null, Buffer.from(K.msg), K.edPub, sig.subarray(1)),
				code(() => c.sign('sha256', Buffer.from('x'), K.ed)), code(() => c.createSign('sha256').update('x').sign(K.ed)),
				code(() => c.createVerify('sha256').update('x').verify(K.edPub, sig))]`,
			`["wugcM8hlI6JlLEOuLBJLKSzxoTK1icRR/WU0PTduLDAKl58+524doL46nc8/KTd5Hn+dRmCnjiwU4sNrtFYOCw==",true,true,false,true,false,["ERR_OSSL_INVALID_DIGEST","error:1C80007A:Provider routines::invalid digest"],["ERR_CRYPTO_UNSUPPORTED_OPERATION","Unsupported crypto operation"],["ERR_CRYPTO_UNSUPPORTED_OPERATION","Unsupported crypto operation"]]`},
		{"sign and verify errors", `const code = (f) => { try { f(); return 'no error' } catch (e) { return [e.name, e.code, e.message] } };
			const s = () => c.createSign('sha256').update('x');
			return [code(() => s().sign(K.rsaPub)), code(() => s().sign('garbage')), code(() => s().sign(5)),
				code(() => s().sign(c.createSecretKey(Buffer.from('x')))), code(() => s().sign(c.createPublicKey(K.rsa))),
				code(() => c.createVerify('sha256').update('x').verify(c.createSecretKey(Buffer.from('x')), 'aa')),
				code(() => c.createVerify('sha256').update('x').verify(K.rsaPub)), code(() => c.createSign('foo')), code(() => c.createSign()),
				code(() => { const x = s(); x.sign(K.rsa); x.sign(K.rsa) }), code(() => { const x = s(); x.sign(K.rsa); x.update('y') }),
				code(() => s().sign({ key: K.ec, dsaEncoding: 'foo' })), code(() => s().sign({ key: K.rsa, padding: 4 })),
				code(() => s().sign({ key: K.rsa, padding: 6, saltLength: 'x' })), code(() => c.sign('foo', Buffer.from('x'), K.rsa)),
				code(() => c.sign(5, Buffer.from('x'), K.rsa)), code(() => c.sign('sha256', 5, K.rsa)),
				code(() => c.createHmac('sha256', c.createPrivateKey(K.rsa)))]`,
			`[["Error","ERR_OSSL_UNSUPPORTED","error:1E08010C:DECODER routines::unsupported"],["Error","ERR_OSSL_UNSUPPORTED","error:1E08010C:DECODER routines::unsupported"],["TypeError","ERR_INVALID_ARG_TYPE","The \"key\" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey. Received type number (5)"],["TypeError","ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE","Invalid key object type secret, expected private."],["TypeError","ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE","Invalid key object type public, expected private."],["TypeError","ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE","Invalid key object type secret, expected private or public."],["TypeError","ERR_INVALID_ARG_TYPE","The \"signature\" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, or DataView. Received undefined"],["TypeError","ERR_CRYPTO_INVALID_DIGEST","Invalid digest"],["TypeError","ERR_INVALID_ARG_TYPE","The \"algorithm\" argument must be of type string. Received undefined"],["Error","ERR_CRYPTO_INVALID_STATE","Not initialised"],["Error","ERR_CRYPTO_INVALID_STATE","Not initialised"],["TypeError","ERR_INVALID_ARG_VALUE","The property 'options.dsaEncoding' is invalid. Received 'foo'"],["Error","ERR_OSSL_ILLEGAL_OR_UNSUPPORTED_PADDING_MODE","error:1C8000A5:Provider routines::illegal or unsupported padding mode"],["TypeError","ERR_INVALID_ARG_VALUE","The property 'options.saltLength' is invalid. Received 'x'"],["TypeError","ERR_CRYPTO_INVALID_DIGEST","Invalid digest: foo"],["TypeError","ERR_INVALID_ARG_TYPE","The \"algorithm\" argument must be of type string. Received type number (5)"],["TypeError","ERR_INVALID_ARG_TYPE","The \"data\" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, or DataView. Received type number (5)"],["TypeError","ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE","Invalid key object type private, expected secret."]]`},
		{"rsa encryption", `// WeChat Pay encrypts sensitive fields with RSA-OAEP (SHA-1) under the platform certificate.
			const code = (f) => { try { f(); return 'no error' } catch (e) { return [e.name, e.code, e.message] } };
			const enc = c.publicEncrypt(K.cert, Buffer.from('6222 0000 1111 2222'));
			const e256 = c.publicEncrypt({ key: c.createPublicKey(K.rsaPub), oaepHash: 'sha256', oaepLabel: Buffer.from('L') }, '张三');
			const pe = c.privateEncrypt(K.rsa, Buffer.from('hi'));
			return [enc.length, c.privateDecrypt(K.rsa, enc).toString(), c.privateDecrypt(K.rsa, Buffer.from(K.nodeOAEP, 'base64')).toString(),
				c.privateDecrypt({ key: K.rsa1, oaepHash: 'sha256' }, Buffer.from(K.nodeOAEP256, 'base64')).toString(),
				c.privateDecrypt({ key: c.createPrivateKey(K.rsa), oaepHash: 'sha256', oaepLabel: Buffer.from('L') }, e256).toString(),
				code(() => c.privateDecrypt({ key: K.rsa }, e256)), code(() => c.publicEncrypt(K.rsaPub, Buffer.alloc(300))),
				code(() => c.privateDecrypt({ key: K.rsa, padding: c.constants.RSA_PKCS1_PADDING }, enc)).slice(0, 2),
				c.privateDecrypt({ key: K.rsa, padding: c.constants.RSA_PKCS1_OAEP_PADDING }, c.publicEncrypt({ key: K.rsaPub, padding: 4 }, Buffer.from('x'))).toString(),
				pe.toString('base64'), c.publicDecrypt(K.rsaPub, pe).toString(), c.publicDecrypt(K.rsa, pe).toString(),
				code(() => c.publicDecrypt(K.rsaPub, Buffer.alloc(256, 1))), code(() => c.privateEncrypt(K.rsa, Buffer.alloc(250, 1))),
				code(() => c.publicEncrypt(K.ecPub, Buffer.from('x'))), code(() => c.publicEncrypt(c.createSecretKey(Buffer.from('a')), Buffer.from('x'))),
				code(() => c.publicEncrypt({ key: K.rsaPub, oaepHash: 'foo' }, Buffer.from('x'))), code(() => c.publicEncrypt({ key: K.rsaPub, oaepHash: 5 }, Buffer.from('x')))]`,
			`[256,"6222 0000 1111 2222","6222 0000 1111 2222","张三","张三",["Error","ERR_OSSL_RSA_OAEP_DECODING_ERROR","error:02000079:rsa routines::oaep decoding error"],["Error","ERR_OSSL_RSA_DATA_TOO_LARGE_FOR_KEY_SIZE","error:0200006E:rsa routines::data too large for key size"],["TypeError","ERR_INVALID_ARG_VALUE"],"x","CjV3jydK/1tEOmrpLw91eofaKeO/9W3uj1ePgyN5GTDFf7lu774kZwiV2Smv/cN7OAWY/BHzdhoUc+PBX1uVQ2sU7z0Ui+GPoPcJuAQfkxfPaCHPTYq/I4dZyCH8p3jEEByTGk8FAdWmAnKzKzCpXSTrwgQascJCEau6DyMcohm2LLQXrdy/On2Tl1090cXj2ysV2T41nnmIlewjAq5cxACofB6qkhIDju/weHumJawJ1doKP5TZI+8gxqlDbEigKSCXQJKwQDgYTZAHIDEZyQr5OKXhDNHSN/JwPBe5wwLKsLDk7vnfoZEXw1s0tgXtFBEEr+KPdYLkvMUqDExZ9Q==","hi","hi",["Error","ERR_OSSL_RSA_INVALID_PADDING","error:0200008A:rsa routines::invalid padding"],["Error","ERR_OSSL_RSA_DATA_TOO_LARGE_FOR_KEY_SIZE","error:0200006E:rsa routines::data too large for key size"],["Error","ERR_OSSL_EVP_OPERATION_NOT_SUPPORTED_FOR_THIS_KEYTYPE","error:03000096:digital envelope routines::operation not supported for this keytype"],["TypeError","ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE","Invalid key object type secret, expected private or public."],["Error","ERR_OSSL_EVP_INVALID_DIGEST","Invalid digest used"],["TypeError","ERR_INVALID_ARG_TYPE","The \"key.oaepHash\" property must be of type string. Received type number (5)"]]`},
		{"generateKeyPair", `const code = (f) => { try { f(); return 'no error' } catch (e) { return [e.name, e.code, e.message] } };
			const rsa = c.generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
			const sig = c.sign('sha256', Buffer.from('x'), rsa.privateKey);
			const ec = c.generateKeyPairSync('ec', { namedCurve: 'P-384' }), ed = c.generateKeyPairSync('ed25519', { publicKeyEncoding: { format: 'jwk' } });
			const asyncPair = await new Promise((res) => c.generateKeyPair('ec', { namedCurve: 'prime256v1' }, (e, pub, priv) => res([e, pub.type, priv.type, pub.asymmetricKeyDetails])));
			const promised = await require('util').promisify(c.generateKeyPair)('ed25519', {});
			return [rsa.publicKey.split('\n')[0], rsa.privateKey.split('\n')[0], c.verify('sha256', Buffer.from('x'), rsa.publicKey, sig),
				c.createPrivateKey(rsa.privateKey).asymmetricKeyDetails.modulusLength, ec.publicKey.asymmetricKeyDetails, ec.privateKey.type,
				c.createPublicKey(ec.privateKey).equals(ec.publicKey), Object.keys(ed.publicKey), ed.privateKey.asymmetricKeyType, asyncPair,
				promised.publicKey.type, promised.privateKey.type,
				c.generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha256' }).publicKey.asymmetricKeyDetails.saltLength,
				code(() => c.generateKeyPairSync('foo')), code(() => c.generateKeyPairSync('rsa', {})), code(() => c.generateKeyPairSync('rsa')),
				code(() => c.generateKeyPairSync('ec', { namedCurve: 'foo' })), code(() => c.generateKeyPairSync('ec', {})),
				code(() => c.generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'spki', format: 'pem' } })),
				code(() => c.generateKeyPair('ec', { namedCurve: 'P-256' }))]`,
			`["-----BEGIN PUBLIC KEY-----","-----BEGIN PRIVATE KEY-----",true,2048,{"namedCurve":"secp384r1"},"private",true,["crv","x","kty"],"ed25519",[null,"public","private",{"namedCurve":"prime256v1"}],"public","private",32,["TypeError","ERR_INVALID_ARG_VALUE","The argument 'type' must be a supported key type. Received 'foo'"],["TypeError","ERR_INVALID_ARG_TYPE","The \"options.modulusLength\" property must be of type number. Received undefined"],["TypeError","ERR_INVALID_ARG_TYPE","The \"options\" argument must be of type object. Received undefined"],["TypeError","ERR_CRYPTO_INVALID_CURVE","Invalid EC curve name"],["TypeError","ERR_INVALID_ARG_TYPE","The \"options.namedCurve\" property must be of type string. Received undefined"],["TypeError","ERR_INVALID_ARG_VALUE","The property 'options.privateKeyEncoding.type' is invalid. Received 'spki'"],["TypeError","ERR_INVALID_ARG_TYPE","The \"callback\" argument must be of type function. Received undefined"]]`},
		{"constants", `const k = c.constants;
			return [k.RSA_PKCS1_PADDING, k.RSA_NO_PADDING, k.RSA_PKCS1_OAEP_PADDING, k.RSA_PKCS1_PSS_PADDING, k.RSA_PSS_SALTLEN_DIGEST,
				k.RSA_PSS_SALTLEN_MAX_SIGN, k.RSA_PSS_SALTLEN_AUTO, typeof c.createPublicKey, typeof c.KeyObject, c.getCurves().includes('prime256v1')]`,
			`[1,3,4,6,-1,-2,-2,"function","function",true]`},

		// Where Minicloud refuses on purpose (see README): encrypted keys, unbounded or
		// exotic key generation, options Go cannot honour.
		{"refused in Minicloud", `const code = (f) => { try { f(); return 'no error' } catch (e) { return [e.name, e.code] } };
			return [code(() => c.createPrivateKey(K.rsaEncrypted)), code(() => c.createPrivateKey({ key: K.rsaEncrypted, passphrase: 'hunter2' })),
				code(() => c.generateKeyPairSync('rsa', { modulusLength: 1024 })), code(() => c.generateKeyPairSync('rsa', { modulusLength: 8192 })),
				code(() => c.generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 })),
				code(() => c.generateKeyPairSync('x25519')), code(() => c.generateKeyPairSync('ec', { namedCurve: 'secp256k1' })),
				code(() => c.createPrivateKey(K.rsa).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' })),
				code(() => c.createSign('sha256').update('x').sign({ key: K.rsa, padding: 6, saltLength: 0 })),
				code(() => c.publicEncrypt({ key: K.rsaPub, padding: c.constants.RSA_NO_PADDING }, Buffer.alloc(256)))]`,
			`[["Error","ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"],["Error","ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"],["RangeError","ERR_OUT_OF_RANGE"],["RangeError","ERR_OUT_OF_RANGE"],["Error","ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"],["Error","ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"],["Error","ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"],["Error","ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"],["Error","ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"],["Error","ERR_FEATURE_UNAVAILABLE_ON_PLATFORM"]]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			jsonEq(t, mustSucceed(t, call(r, cryptoVersion(tc.body), `{}`)), tc.want)
		})
	}
}

// TestCryptoInNode has Node 20 check what Minicloud makes: randomized signatures
// (ECDSA, RSA-PSS), ciphertexts and exported keys. Skipped without node 20 or later.
func TestCryptoInNode(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	v, _ := exec.Command(node, "--version").Output()
	major, _, _ := strings.Cut(strings.TrimPrefix(string(v), "v"), ".")
	if n, _ := strconv.Atoi(major); n < 20 {
		t.Skipf("node %s is older than 20", strings.TrimSpace(string(v)))
	}
	r := newTestRuntime(RuntimeConfig{})
	made := mustSucceed(t, call(r, cryptoVersion(`
		const m = Buffer.from(K.msg), b64 = (b) => b.toString('base64');
		const ec = c.generateKeyPairSync('ec', { namedCurve: 'P-384', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
		const pss = c.generateKeyPairSync('rsa-pss', { modulusLength: 2048, hashAlgorithm: 'sha384', saltLength: 16 });
		const rsa = c.generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { format: 'jwk' } });
		return {
			rsa: c.createSign('RSA-SHA256').update(K.msg).sign(K.rsa, 'base64'),
			pss: b64(c.sign('sha256', m, { key: K.rsa, padding: c.constants.RSA_PKCS1_PSS_PADDING })),
			pssDigest: b64(c.sign('sha512', m, { key: K.rsa, padding: 6, saltLength: c.constants.RSA_PSS_SALTLEN_DIGEST })),
			pssKey: b64(c.sign('sha256', m, K.pss)),
			ecdsa: c.createSign('sha256').update(K.msg).sign(K.ec, 'base64'),
			p1363: b64(c.sign('sha256', m, { key: K.ec, dsaEncoding: 'ieee-p1363' })),
			ed25519: b64(c.sign(null, m, K.ed)),
			oaep: b64(c.publicEncrypt(K.cert, m)),
			oaep256: b64(c.publicEncrypt({ key: K.rsaPub, oaepHash: 'sha256', oaepLabel: Buffer.from('label') }, m)),
			ecPriv: ec.privateKey, ecPub: ec.publicKey, ecSig: b64(c.sign('sha384', m, ec.privateKey)),
			pssPriv: pss.privateKey.export({ type: 'pkcs8', format: 'pem' }), pssPub: pss.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
			pssSig: b64(c.sign('sha384', m, pss.privateKey)),
			rsaJWK: rsa.privateKey, rsaPub: rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }),
		}`), `{}`))
	madeJSON, _ := json.Marshal(made)
	script := cryptoKeysModule() + ";\nconst K = module.exports, M = " + string(madeJSON) + `, c = require('crypto'), m = Buffer.from(K.msg);
		const v = (alg, key, sig) => c.verify(alg, m, key, Buffer.from(sig, 'base64'));
		const pss = c.createPrivateKey(M.pssPriv), d = pss.asymmetricKeyDetails;
		const rsa = c.createPrivateKey({ key: M.rsaJWK, format: 'jwk' });
		console.log(JSON.stringify([
			c.createVerify('RSA-SHA256').update(K.msg).verify(K.cert, M.rsa, 'base64'),
			v('sha256', { key: K.rsaPub, padding: 6, saltLength: 222 }, M.pss),
			v('sha512', { key: K.rsaPub, padding: 6, saltLength: 64 }, M.pssDigest),
			v('sha256', { key: K.pss, padding: 6, saltLength: 32 }, M.pssKey),
			v('sha256', K.ecPub, M.ecdsa), v('sha256', { key: K.ecPub, dsaEncoding: 'ieee-p1363' }, M.p1363),
			v(null, K.edPub, M.ed25519),
			c.privateDecrypt(K.rsa, Buffer.from(M.oaep, 'base64')).equals(m),
			c.privateDecrypt({ key: K.rsa, oaepHash: 'sha256', oaepLabel: Buffer.from('label') }, Buffer.from(M.oaep256, 'base64')).equals(m),
			c.createPrivateKey(M.ecPriv).asymmetricKeyDetails.namedCurve, v('sha384', M.ecPub, M.ecSig),
			[d.hashAlgorithm, d.mgf1HashAlgorithm, d.saltLength], v('sha384', { key: M.pssPub, format: 'der', type: 'spki', encoding: 'base64' }, M.pssSig),
			c.createPublicKey(rsa).export({ type: 'pkcs1', format: 'pem' }) === M.rsaPub,
			v('sha256', M.rsaPub, c.sign('sha256', m, rsa).toString('base64')),
		]))`
	out, err := exec.Command(node, "-e", script).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var got any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node said %s", out)
	}
	jsonEq(t, got, `[true,true,true,true,true,true,true,true,true,"secp384r1",true,["sha384","sha384",16],true,true,true]`)
}
