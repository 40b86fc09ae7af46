// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include <QLoggingCategory>

namespace Mortar::Internal {
Q_DECLARE_LOGGING_CATEGORY(lcApp)
Q_DECLARE_LOGGING_CATEGORY(lcHooks)
Q_DECLARE_LOGGING_CATEGORY(lcTrace)
} // namespace Mortar::Internal
