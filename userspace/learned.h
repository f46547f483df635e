/* SPDX-License-Identifier: GPL-2.0 */
/* Rendering learned addresses; no netlink here. */
#ifndef EGRESSKCTL_LEARNED_H
#define EGRESSKCTL_LEARNED_H

#include <stdio.h>

#include "netlink.h"
#include "policy.h"

/*
 * A table with a header: ADDRESS NAME EXPIRES RULE, one row per entry, each
 * line led by @indent.  EXPIRES is "412s", or "expired" for 0;
 * RULE is the pattern of the rule in @p whose id the entry names, "-" when
 * it names none (or a rule @p lacks).
 */
void egk_learned_print(FILE *f, const struct egk_learned_list *ll, const struct egk_policy *p,
		       const char *indent);
/* [{"address","family","name","expires","expired","rule_id"?,"rule"}, ...];
 * "rule" is null when no rule covers the name. */
struct json_object *egk_learned_to_json(const struct egk_learned_list *ll,
					const struct egk_policy *p);

#endif
