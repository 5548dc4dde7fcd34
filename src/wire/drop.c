/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Names and descriptions of the drop reasons, generated from the
 * SF_DROP_REASONS X-macro in synfin.h so that they can never disagree with the
 * enum.
 */
#include "synfin.h"

static const char *const drop_names[SF_DROP__COUNT] = {
#define SF_DROP_NAME_(name, text) [SF_DROP_##name] = #name,
	SF_DROP_REASONS(SF_DROP_NAME_)
#undef SF_DROP_NAME_
};

static const char *const drop_texts[SF_DROP__COUNT] = {
#define SF_DROP_TEXT_(name, text) [SF_DROP_##name] = text,
	SF_DROP_REASONS(SF_DROP_TEXT_)
#undef SF_DROP_TEXT_
};

/*
 * The enum's underlying type is implementation-defined and a caller may pass
 * any int, so compare through unsigned: negative values land out of range.
 */
const char *sf_drop_reason_name(enum sf_drop_reason reason)
{
	if ((unsigned int)reason >= (unsigned int)SF_DROP__COUNT)
		return "?";
	return drop_names[reason];
}

const char *sf_drop_reason_text(enum sf_drop_reason reason)
{
	if ((unsigned int)reason >= (unsigned int)SF_DROP__COUNT)
		return "?";
	return drop_texts[reason];
}
