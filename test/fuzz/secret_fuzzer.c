/*-------------------------------------------------------------------------
 *
 * secret_fuzzer.c
 *		libFuzzer target for the two validators behind user_password_hash_format
 *		and user_first/last_name_length: um_valid_scram_secret and
 *		um_valid_person_name (validate_core.c).
 *
 * The first input byte picks the validator (even: SCRAM secret, odd: person
 * name); the rest is the value, in a buffer of exactly its length so that
 * AddressSanitizer catches a read past it.
 *
 * The SCRAM reference is written here from the format PostgreSQL stores in
 * pg_authid, differently from the core: each base64 field is decoded by a
 * strict decoder and then encoded again, and "canonical" means the encoding
 * comes back identical (so padding bits must be zero without this file
 * saying so).  Seeds that are real secrets let the fuzzer mutate around the
 * valid shape.  The person-name reference is the rule itself: 1-100
 * characters (counted here as UTF-8 lead bytes, the caller's job in the
 * server) and at least one byte that is not ASCII whitespace.
 * Any disagreement aborts.
 *
 * test/fuzz/secret_fuzzer.c
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate_core.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char b64_alphabet[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* strict decode of padded base64 into out; returns bytes, or -1 */
static long
ref_b64_decode(const char *s, size_t len, unsigned char *out, size_t outmax)
{
	size_t		n = 0;
	size_t		i;

	if (len == 0 || len % 4 != 0)
		return -1;
	for (i = 0; i < len; i += 4)
	{
		int			v[4];
		int			k;
		int			pads = 0;

		for (k = 0; k < 4; k++)
		{
			const char *p;

			if (s[i + k] == '=')
			{
				/* '=' only in the last quantum, only at its end */
				if (i + 4 != len || k < 2)
					return -1;
				v[k] = 0;
				pads++;
				continue;
			}
			if (pads > 0 || s[i + k] == '\0' ||
				(p = strchr(b64_alphabet, s[i + k])) == NULL)
				return -1;
			v[k] = (int) (p - b64_alphabet);
		}
		if (n + 3 - (size_t) pads > outmax)
			return -1;
		out[n++] = (unsigned char) ((v[0] << 2) | (v[1] >> 4));
		if (pads < 2)
			out[n++] = (unsigned char) (((v[1] & 0x0f) << 4) | (v[2] >> 2));
		if (pads < 1)
			out[n++] = (unsigned char) (((v[2] & 0x03) << 6) | v[3]);
	}
	return (long) n;
}

static void
ref_b64_encode(const unsigned char *in, size_t n, char *out)
{
	size_t		i;
	size_t		o = 0;

	for (i = 0; i < n; i += 3)
	{
		unsigned	b = (unsigned) in[i] << 16;

		if (i + 1 < n)
			b |= (unsigned) in[i + 1] << 8;
		if (i + 2 < n)
			b |= in[i + 2];
		out[o++] = b64_alphabet[(b >> 18) & 63];
		out[o++] = b64_alphabet[(b >> 12) & 63];
		out[o++] = i + 1 < n ? b64_alphabet[(b >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64_alphabet[b & 63] : '=';
	}
	out[o] = '\0';
}

/* bytes the field decodes to when it is canonical padded base64, else -1 */
static long
ref_b64_canonical(const char *s, size_t len)
{
	unsigned char *bytes = malloc(len + 1);
	char	   *again = malloc(len + 8);
	long		n = ref_b64_decode(s, len, bytes, len + 1);

	if (n >= 0)
	{
		ref_b64_encode(bytes, (size_t) n, again);
		if (strlen(again) != len || memcmp(again, s, len) != 0)
			n = -1;
	}
	free(bytes);
	free(again);
	return n;
}

static int
ref_scram(const char *s, size_t len)
{
	static const char prefix[] = "SCRAM-SHA-256$";
	size_t		plen = strlen(prefix);
	const char *end = s + len;
	const char *p;
	const char *q;
	unsigned long long iter = 0;

	if (len < plen || memcmp(s, prefix, plen) != 0)
		return 0;
	/* iterations: decimal, no leading zero, 1..2^31-1 */
	p = s + plen;
	for (q = p; q < end && *q >= '0' && *q <= '9'; q++)
	{
		iter = iter * 10 + (unsigned) (*q - '0');
		if (iter > 2147483647ULL)
			return 0;
	}
	if (q == p || *p == '0' || q == end || *q != ':')
		return 0;
	/* salt up to '$': at least one byte */
	p = q + 1;
	q = memchr(p, '$', (size_t) (end - p));
	if (q == NULL || ref_b64_canonical(p, (size_t) (q - p)) < 1)
		return 0;
	/* StoredKey ':' ServerKey, 32 bytes each */
	p = q + 1;
	q = memchr(p, ':', (size_t) (end - p));
	if (q == NULL || ref_b64_canonical(p, (size_t) (q - p)) != 32)
		return 0;
	p = q + 1;
	return ref_b64_canonical(p, (size_t) (end - p)) == 32;
}

static int
ref_person_name(const char *s, size_t len, size_t nchars)
{
	size_t		i;

	if (nchars < 1 || nchars > 100)
		return 0;
	for (i = 0; i < len; i++)
	{
		if (strchr(" \t\n\v\f\r", s[i]) == NULL || s[i] == '\0')
			return 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *value;
	size_t		len;
	int			got;
	int			want;

	if (size == 0)
		return 0;
	len = size - 1;
	value = malloc(len ? len : 1);
	memcpy(value, data + 1, len);

	if ((data[0] & 1) == 0)
	{
		got = um_valid_scram_secret(value, len);
		want = ref_scram(value, len);
		if (got != want)
		{
			fprintf(stderr, "um_valid_scram_secret(\"%.*s\") = %d, reference %d\n",
					(int) len, value, got, want);
			abort();
		}
	}
	else
	{
		size_t		nchars = 0;
		size_t		i;

		for (i = 0; i < len; i++)
			nchars += ((unsigned char) value[i] & 0xc0) != 0x80;
		got = um_valid_person_name(value, len, nchars);
		want = ref_person_name(value, len, nchars);
		if (got != want)
		{
			fprintf(stderr, "um_valid_person_name(\"%.*s\", %zu chars) = %d, reference %d\n",
					(int) len, value, nchars, got, want);
			abort();
		}
	}
	free(value);
	return 0;
}
