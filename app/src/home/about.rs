//! What Kleio is, what runs where, and the licences of what it ships: the
//! demo dataset's sources and the two embedding models.

use leptos::prelude::*;

#[component]
pub fn About() -> impl IntoView {
    view! {
        <details class="about">
            <summary>"About Kleio"</summary>
            <p>
                "Kleio follows the method of Clio (Tamkin et al., 2024, “Clio: Privacy-Preserving Insights into Real-World AI Use”): "
                "a question is asked of every conversation (its facets), the answers are embedded and clustered, the clusters are named "
                "and grouped into a hierarchy, and only clusters with enough distinct accounts and conversations, whose names pass a "
                "privacy audit, may be shown to anyone but the data's owner."
            </p>
            <p>
                "Here the whole run happens in this browser: importing, the offline analyst (or, if you choose it, the proxy's LLM), "
                "the sentence embeddings (burn, on WebGPU where the browser has an adapter, else on the CPU in a Web Worker per core), "
                "k-means and the map. "
                "Runs, their files and their results stay in this browser's storage until you delete them. Publishing sends only "
                "aggregates, and the proxy applies the privacy minimums and the audit again before it stores anything."
            </p>
            <h3>"Licences"</h3>
            <ul>
                <li>"Kleio: Apache License 2.0."</li>
                <li>"Demo dataset: OpenAssistant oasst1 (English validation split, 188 threads), Apache License 2.0; "
                    "Arena-Hard-Auto prompts v2.0 and v0.1 (lmarena/arena-hard-auto), Apache License 2.0, with synthetic account ids."</li>
                <li>"Embedding models: sentence-transformers all-MiniLM-L6-v2 and all-mpnet-base-v2, Apache License 2.0."</li>
            </ul>
            <p><a href="https://www.apache.org/licenses/LICENSE-2.0" rel="noreferrer">"The Apache License 2.0"</a></p>
        </details>
    }
}
