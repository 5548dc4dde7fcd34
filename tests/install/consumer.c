/* SPDX-License-Identifier: BSD-2-Clause */
/* A program that uses only the installed public header and library. */
#include <stdio.h>
#include <string.h>
#include <synfin.h>

int main(void)
{
	struct sf_addr a;
	char text[64];

	if (sf_addr_parse("192.0.2.7", &a) != 0 || sf_addr_format(&a, text, sizeof text) < 0)
		return 1;
	if (strcmp(text, "192.0.2.7") != 0)
		return 1;
	if (strcmp(sf_drop_reason_name(SF_DROP_TCP_CHECKSUM), "TCP_CHECKSUM") != 0)
		return 1;
	if (strcmp(sf_version(), SYNFIN_VERSION) != 0)
		return 1;
	puts(text);
	return 0;
}
