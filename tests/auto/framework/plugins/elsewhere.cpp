// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A library the plugin missinglib needs, built where the loader will not look for it.
extern "C" __attribute__((visibility("default"))) void mortarTestElsewhere() { }
