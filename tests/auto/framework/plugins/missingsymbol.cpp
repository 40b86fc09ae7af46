// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "testplugin.h"

using namespace Qt::StringLiterals;

// Defined nowhere: loading must fail with the symbol named, not crash on the call.
extern "C" void mortarTestNeverDefined();

class MissingSymbolPlugin final : public QObject, public Mortar::Plugin
{
    Q_OBJECT
    Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID FILE "missingsymbol.json")
    Q_INTERFACES(Mortar::Plugin)

public:
    void load(Mortar::App &app) override
    {
        mortarTestNeverDefined();
        Q_UNUSED(app);
    }
};

#include "missingsymbol.moc"
