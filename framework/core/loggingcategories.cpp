// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "loggingcategories_p.h"

namespace Mortar::Internal {
Q_LOGGING_CATEGORY(lcApp, "mortar.app", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHooks, "mortar.hooks", QtInfoMsg)
Q_LOGGING_CATEGORY(lcTrace, "mortar.trace", QtInfoMsg)
} // namespace Mortar::Internal
